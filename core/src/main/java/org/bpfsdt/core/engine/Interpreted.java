package org.bpfsdt.core.engine;

import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.Interpreter;

/** A program run by the interpreter. */
public record Interpreted(Interpreter interpreter, DecodedProgram program) implements Executable {
    @Override
    public String engineName() {
        return EngineInfo.INTERPRETER;
    }

    @Override
    public JitService service() {
        return null;
    }

    @Override
    public DecodedProgram interpreted() {
        return program;
    }

    @Override
    public long run(ExecState state, long ctx) {
        return interpreter.run(state, program, ctx, 0);
    }

    @Override
    public long entryAddress() {
        return 0;
    }

    @Override
    public int codeSize() {
        return 0;
    }

    @Override
    public void close() {
    }
}
