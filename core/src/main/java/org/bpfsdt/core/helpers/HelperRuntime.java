package org.bpfsdt.core.helpers;

import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.api.spi.MapBackend;

/** What the runtime gives its helpers: maps by their native header or id, program types, and the trace pipe. */
public interface HelperRuntime {
    /** The map whose native header is at {@code header} (the map pointer a program passes), or {@code null}. */
    MapBackend mapAt(long header);

    /** The live map with this id, or {@code null}. */
    MapBackend mapById(int id);

    /** The type of the live program with this id, or {@code null}. */
    ProgramType programType(int programId);

    /** Appends a line to the runtime's trace pipe. */
    void trace(TracePipe.Line line);
}
