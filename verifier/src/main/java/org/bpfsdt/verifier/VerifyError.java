package org.bpfsdt.verifier;

import org.bpfsdt.api.Errno;

/**
 * Ends a verification: the message is the kernel-style last line of the log (what the program
 * did wrong, at which instruction); the verifier turns it into a {@link org.bpfsdt.api.BpfException}
 * carrying the whole log.
 */
public final class VerifyError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;

    public VerifyError(Errno errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public static VerifyError access(String fmt, Object... args) {
        return new VerifyError(Errno.EACCES, args.length == 0 ? fmt : String.format(fmt, args));
    }

    public static VerifyError invalid(String fmt, Object... args) {
        return new VerifyError(Errno.EINVAL, args.length == 0 ? fmt : String.format(fmt, args));
    }

    public Errno errno() {
        return errno;
    }
}
