package org.bpfsdt.core.engine;

import java.lang.invoke.MethodHandle;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.Helper;

/** A program compiled by a JIT service, run through the image's entry on this host. */
public final class Jitted implements Executable {
    private final JitService service;
    private final JitImage image;
    private final MethodHandle entry;
    private final MethodHandle batch;
    private final int programId;
    private final Helper[] helpers;
    // made once: a method reference per run would allocate
    private final ExecState.NativeBody once = this::runOnce;
    private final ExecState.NativeBody many = this::runMany;

    Jitted(JitService service, JitImage image, int programId, Helper[] helpers) {
        this.service = service;
        this.image = image;
        this.entry = image.entry();
        this.batch = image.batchEntry();
        this.programId = programId;
        this.helpers = helpers;
    }

    public JitImage image() {
        return image;
    }

    @Override
    public String engineName() {
        return service.arch();
    }

    @Override
    public JitService service() {
        return service;
    }

    @Override
    public DecodedProgram interpreted() {
        return null;
    }

    @Override
    public long run(ExecState state, long ctx) {
        return state.runNative(programId, helpers, ctx, 0, once);
    }

    @Override
    public long runBatch(ExecState state, long ctx, long repeat) {
        return batch == null ? Executable.super.runBatch(state, ctx, repeat)
                : state.runNative(programId, helpers, ctx, Math.max(repeat, 1), many);
    }

    private long runOnce(long ctx, long unused) {
        try {
            return (long) entry.invokeExact(ctx);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private long runMany(long ctx, long repeat) {
        try {
            return (long) batch.invokeExact(ctx, repeat);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private BpfException failed(Throwable t) {
        return new BpfException(Errno.EFAULT, service.arch() + " code of program " + programId + " failed: " + t, t);
    }

    @Override
    public long entryAddress() {
        return image.entryAddress();
    }

    @Override
    public int codeSize() {
        return image.code().length;
    }

    @Override
    public void close() {
        image.close();
    }
}
