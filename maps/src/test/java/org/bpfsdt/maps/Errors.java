package org.bpfsdt.maps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.junit.jupiter.api.function.Executable;

/** Assertions on the errno of a failed operation. */
public final class Errors {
    private Errors() {
    }

    /** Runs {@code op}, expects it to fail with {@code errno}, and returns the exception for further checks. */
    public static BpfException assertErrno(Errno errno, Executable op) {
        BpfException e = assertThrows(BpfException.class, op);
        assertEquals(errno, e.errno(), e.getMessage());
        return e;
    }

    /** {@link #assertErrno(Errno, Executable)}, saying {@code why} the operation must fail. */
    public static BpfException assertErrno(Errno errno, Executable op, String why) {
        BpfException e = assertThrows(BpfException.class, op, why);
        assertEquals(errno, e.errno(), why + ": " + e.getMessage());
        return e;
    }

    /** A program-side result: 0 or a negative errno. */
    public static void assertRc(Errno errno, long rc) {
        assertEquals(-errno.code(), rc, "expected -" + errno + " but got " + rc);
    }
}
