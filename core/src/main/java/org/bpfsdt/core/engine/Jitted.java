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
    private final ExecState.NativeBody body = this::invoke;

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
        return state.runNative(programId, helpers, ctx, body);
    }

    private long invoke(long ctx) {
        try {
            return (long) entry.invokeExact(ctx);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new BpfException(Errno.EFAULT, service.arch() + " code of program " + programId + " failed: " + t, t);
        }
    }

    @Override
    public long runBatch(ExecState state, long ctx, long repeat) {
        if (batch == null) {
            long r0 = 0;
            for (long i = Math.max(repeat, 1); i > 0; i--) {
                r0 = run(state, ctx);
            }
            return r0;
        }
        long n = Math.max(repeat, 1);
        return state.runNative(programId, helpers, ctx, c -> {
            try {
                return (long) batch.invokeExact(c, n);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new BpfException(Errno.EFAULT, service.arch() + " code of program " + programId + " failed: " + t, t);
            }
        });
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
