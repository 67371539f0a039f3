package org.bpfsdt.api;

/** The errno values the runtime reports, with the numbers Linux uses so callers can compare them with the kernel's. */
public enum Errno {
    EPERM(1, "operation not permitted"),
    ENOENT(2, "no such object"),
    ESRCH(3, "no such process"),
    EINTR(4, "interrupted"),
    E2BIG(7, "argument list too long"),
    ENOEXEC(8, "exec format error"),
    EBADF(9, "bad object handle"),
    EAGAIN(11, "try again"),
    ENOMEM(12, "out of memory"),
    EACCES(13, "permission denied"),
    EFAULT(14, "bad address"),
    EBUSY(16, "object busy"),
    EEXIST(17, "object exists"),
    EXDEV(18, "cross-object link"),
    ENODEV(19, "no such device"),
    EINVAL(22, "invalid argument"),
    ENOSPC(28, "no space left"),
    ERANGE(34, "result out of range"),
    EDEADLK(35, "deadlock"),
    ENAMETOOLONG(36, "name too long"),
    ENOSYS(38, "function not implemented"),
    ELOOP(40, "too many levels"),
    ENOMSG(42, "no message"),
    ENODATA(61, "no data available"),
    ENOLINK(67, "link has been severed"),
    EPROTO(71, "protocol error"),
    EOVERFLOW(75, "value too large"),
    EBADMSG(74, "malformed message"),
    EOPNOTSUPP(95, "operation not supported"),
    ETIMEDOUT(110, "timed out"),
    ENOTSUPP(524, "operation not supported by this implementation");

    private final int code;
    private final String description;

    Errno(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** The positive Linux errno number. */
    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    /** The errno with Linux number {@code code} (sign ignored), or {@code null}. */
    public static Errno byCode(int code) {
        int c = Math.abs(code);
        for (Errno e : values()) {
            if (e.code == c) {
                return e;
            }
        }
        return null;
    }
}
