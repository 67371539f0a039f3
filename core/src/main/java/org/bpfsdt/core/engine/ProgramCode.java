package org.bpfsdt.core.engine;

import java.util.function.Supplier;

import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.Helper;

/**
 * A verified program as every engine needs it: the request a JIT compiles, whether it needs SDT
 * probe support, and its decoded form for the interpreter (decoded on first use).
 *
 * @param id       program id
 * @param request  what a JIT compiles
 * @param needsSdt it has SDT probe sites or is an SDT observer
 * @param decoded  the interpreter's form
 * @param helpers  the helpers its native code calls, by number
 */
public record ProgramCode(int id, JitRequest request, boolean needsSdt, Supplier<DecodedProgram> decoded, Helper[] helpers) {

    /** A supplier that decodes once, on first use. */
    public static Supplier<DecodedProgram> once(Supplier<DecodedProgram> decode) {
        return new Supplier<>() {
            private volatile DecodedProgram value;

            @Override
            public DecodedProgram get() {
                DecodedProgram v = value;
                if (v == null) {
                    synchronized (this) {
                        v = value;
                        if (v == null) {
                            v = value = decode.get();
                        }
                    }
                }
                return v;
            }
        };
    }
}
