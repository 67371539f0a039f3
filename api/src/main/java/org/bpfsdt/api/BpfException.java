package org.bpfsdt.api;

import java.util.Objects;

/**
 * The one exception of the runtime: an errno-like code, a reason a person can act on, and for
 * verifier rejections the verifier's log. Every failed operation leaves the runtime as it was.
 */
public final class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;
    private final String reason;
    private final String log;

    public BpfException(Errno errno, String reason) {
        this(errno, reason, null, null);
    }

    public BpfException(Errno errno, String reason, Throwable cause) {
        this(errno, reason, null, cause);
    }

    private BpfException(Errno errno, String reason, String log, Throwable cause) {
        super(errno.name() + ": " + reason, cause);
        this.errno = Objects.requireNonNull(errno);
        this.reason = Objects.requireNonNull(reason);
        this.log = log;
    }

    /** This exception with the verifier's (or another component's) log attached. */
    public BpfException withLog(String log) {
        BpfException e = new BpfException(errno, reason, log, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /**
     * The same failure as seen from {@code context} (a file, map or program): reason
     * {@code "<context>: <reason>"}, same errno and log, this exception as the cause.
     */
    public BpfException withContext(String context) {
        return new BpfException(errno, context + ": " + reason, log, this);
    }

    public Errno errno() {
        return errno;
    }

    /** The reason without the errno name. */
    public String reason() {
        return reason;
    }

    /** The log that explains the failure (the verifier's), or an empty string. */
    public String log() {
        return log == null ? "" : log;
    }

    /** The negative errno, as a syscall would return it. */
    public int negativeErrno() {
        return -errno.code();
    }

    public static BpfException einval(String reason) {
        return new BpfException(Errno.EINVAL, reason);
    }

    public static BpfException of(Errno errno, String format, Object... args) {
        return new BpfException(errno, String.format(format, args));
    }
}
