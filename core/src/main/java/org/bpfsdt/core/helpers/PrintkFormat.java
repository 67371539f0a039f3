package org.bpfsdt.core.helpers;

import java.util.HexFormat;

import org.bpfsdt.api.Errno;

/**
 * The format language of {@code bpf_trace_printk}, with the kernel's rules
 * ({@code bpf_bprintf_prepare} then {@code bstr_printf}): printable ASCII only; at most
 * {@value #MAX_ARGS} conversions; flags {@code 0 + - space} and a width; {@code %d %i %u %x %X}
 * with {@code l} or {@code ll}; {@code %c}; {@code %s} (and {@code %ks}, {@code %us} after
 * {@code p}) read through a fault-tolerant copy, an unreadable string printing as empty;
 * {@code %p} (hashed, as {@code %pK}), {@code %px} (raw), {@code %ps %pS %pB} (no symbols here:
 * {@code 0x} and the address), {@code %pI4 %pi4 %pI6 %pi6} (addresses read from memory, zeros
 * when unreadable); {@code %%}. Anything else, and more conversions than arguments, is
 * {@code EINVAL}. Strings and numbers share the kernel's 512-byte argument buffer
 * ({@code ENOSPC} past it); the text is cut at 1023 characters and the length returned is the
 * untruncated one, as {@code bstr_printf} returns it.
 */
final class PrintkFormat {
    static final int MAX_ARGS = 3;
    /** {@code MAX_BPRINTF_BUF}: the output buffer, NUL included. */
    static final int MAX_OUTPUT = 1024;
    /** {@code MAX_BPRINTF_BIN_ARGS}: what the arguments may take once prepared. */
    static final int MAX_BIN_ARGS = 512;

    /** Memory reads that fail instead of faulting. */
    interface Memory {
        /** The NUL-terminated string at {@code address}, at most {@code max - 1} characters; {@code null} if unreadable. */
        String string(long address, int max);

        /** {@code n} bytes at {@code address}, or {@code null} if unreadable. */
        byte[] bytes(long address, int n);
    }

    /** The outcome: a negative errno, or the text and its untruncated length. */
    record Printed(int error, String text, int length) {
        static Printed fail(Errno e) {
            return new Printed(-e.code(), "", 0);
        }
    }

    private static final int LEFT = 1, PLUS = 2, SPACE = 4, ZEROPAD = 8;

    private final byte[] fmt;
    private final int end;
    private final long[] args;
    private final long pointerKey;
    private final Memory memory;
    private final StringBuilder out = new StringBuilder();
    private int binArgs;

    private PrintkFormat(byte[] fmt, int end, long[] args, long pointerKey, Memory memory) {
        this.fmt = fmt;
        this.end = end;
        this.args = args;
        this.pointerKey = pointerKey;
        this.memory = memory;
    }

    /**
     * Formats {@code fmt} (the {@code fmt_size} bytes the program passed, which must hold a NUL)
     * with {@code args}; {@code pointerKey} keys the hashing of {@code %p}.
     */
    static Printed format(byte[] fmt, long[] args, long pointerKey, Memory memory) {
        int nul = -1;
        for (int i = 0; i < fmt.length; i++) {
            if (fmt[i] == 0) {
                nul = i;
                break;
            }
        }
        if (nul < 0) {
            return Printed.fail(Errno.EINVAL);
        }
        return new PrintkFormat(fmt, nul, args, pointerKey, memory).run();
    }

    /** The byte at {@code i}, 0 past the end of the string (the kernel reads its terminating NUL there). */
    private int at(int i) {
        return i < end ? fmt[i] & 0xff : 0;
    }

    private Printed run() {
        int spec = 0;
        for (int i = 0; i < end; i++) {
            int c = at(i);
            if (c >= 0x80 || !(isPrint(c) || isSpace(c))) {
                return Printed.fail(Errno.EINVAL);
            }
            if (c != '%') {
                out.append((char) c);
                continue;
            }
            if (at(i + 1) == '%') {
                out.append('%');
                i++;
                continue;
            }
            if (spec >= MAX_ARGS || spec >= args.length) {
                return Printed.fail(Errno.EINVAL);
            }
            long arg = args[spec++];
            i++;
            int flags = 0;
            for (;; i++) {
                int f = at(i);
                if (f == '0') {
                    flags |= ZEROPAD;
                } else if (f == '+') {
                    flags |= PLUS;
                } else if (f == '-') {
                    flags |= LEFT;
                } else if (f == ' ') {
                    flags |= SPACE;
                } else {
                    break;
                }
            }
            int width = -1;
            if (at(i) >= '1' && at(i) <= '9') {
                width = 0;
                while (at(i) >= '0' && at(i) <= '9') {
                    width = Math.min(width * 10 + at(i) - '0', MAX_OUTPUT);
                    i++;
                }
            }
            int conv = at(i);
            Errno err;
            if (conv == 'p') {
                int next = at(i + 1);
                if (next == 0 || isSpace(next) || isPunct(next)) {
                    err = number(hashed(arg), 8, 16, false, false, flags, width, true);
                } else if ((next == 'k' || next == 'u') && at(i + 2) == 's') {
                    i += 2;
                    err = string(arg, i, flags, width);
                } else if (next == 'K') {
                    i++;
                    err = number(hashed(arg), 8, 16, false, false, flags, width, true);
                } else if (next == 'x') {
                    i++;
                    err = number(arg, 8, 16, false, false, flags, width, true);
                } else if (next == 's' || next == 'S' || next == 'B') {
                    i++;
                    err = next == 'B' ? text("0x" + Long.toHexString(arg), flags, width, 1 + ("0x" + Long.toHexString(arg)).length())
                            : number(arg, 8, 16, false, false, flags, width, false, "0x");
                } else if ((next == 'i' || next == 'I') && (at(i + 2) == '4' || at(i + 2) == '6')) {
                    i += 2;
                    String ip = ip(arg, next == 'I', at(i) == '4');
                    err = text(ip, flags, width, ip.length() + 1);
                } else {
                    return Printed.fail(Errno.EINVAL);
                }
            } else if (conv == 's') {
                err = string(arg, i, flags, width);
            } else if (conv == 'c') {
                err = text(String.valueOf((char) (arg & 0xff)), flags, width, 1);
            } else {
                int size = 4;
                if (at(i) == 'l') {
                    size = 8;
                    i++;
                }
                if (at(i) == 'l') {
                    i++;
                }
                conv = at(i);
                err = switch (conv) {
                    case 'd', 'i' -> number(arg, size, 10, true, false, flags, width, false);
                    case 'u' -> number(arg, size, 10, false, false, flags, width, false);
                    case 'x' -> number(arg, size, 16, false, false, flags, width, false);
                    case 'X' -> number(arg, size, 16, false, true, flags, width, false);
                    default -> Errno.EINVAL;
                };
            }
            if (err != null) {
                return Printed.fail(err);
            }
        }
        int length = out.length();
        String text = length < MAX_OUTPUT ? out.toString() : out.substring(0, MAX_OUTPUT - 1);
        return new Printed(0, text, length);
    }

    /** A string argument: it must end its conversion ({@code %sx} is refused), and takes its bytes of the argument buffer. */
    private Errno string(long address, int i, int flags, int width) {
        int next = at(i + 1);
        if (next != 0 && !isSpace(next) && !isPunct(next)) {
            return Errno.EINVAL;
        }
        int room = MAX_BIN_ARGS - binArgs;
        if (room == 0) {
            return Errno.ENOSPC;
        }
        String s = memory.string(address, room);
        if (s == null) {
            s = "";
        }
        return text(s, flags, width, s.length() + 1);
    }

    /** Appends {@code s} padded to {@code width}, charging {@code binBytes} to the argument buffer. */
    private Errno text(String s, int flags, int width, int binBytes) {
        if (MAX_BIN_ARGS - binArgs < binBytes) {
            return Errno.ENOSPC;
        }
        binArgs += binBytes;
        pad(s, flags & ~ZEROPAD, width);
        return null;
    }

    private Errno number(long v, int size, int base, boolean signed, boolean upper, int flags, int width, boolean pointer) {
        return number(v, size, base, signed, upper, flags, width, pointer, "");
    }

    /**
     * A number as the kernel's {@code number()} prints it; {@code pointer} gives the pointer form
     * (16 zero-padded digits unless a width is given).
     */
    private Errno number(long v, int size, int base, boolean signed, boolean upper, int flags, int width, boolean pointer, String prefix) {
        binArgs = (binArgs + 3) & ~3;
        if (MAX_BIN_ARGS - binArgs < size) {
            return Errno.ENOSPC;
        }
        binArgs += size;
        if (pointer && width == -1) {
            width = 16;
            flags |= ZEROPAD;
        }
        long value = size == 4 ? (signed ? (int) v : v & 0xffffffffL) : v;
        String sign = "";
        String digits;
        if (signed && value < 0) {
            sign = "-";
            digits = Long.toUnsignedString(-value, base);
        } else {
            if (signed && (flags & PLUS) != 0) {
                sign = "+";
            } else if (signed && (flags & SPACE) != 0) {
                sign = " ";
            }
            digits = Long.toUnsignedString(value, base);
        }
        if (upper) {
            digits = digits.toUpperCase(java.util.Locale.ROOT);
        }
        String body = prefix + digits;
        if ((flags & ZEROPAD) != 0 && (flags & LEFT) == 0 && width > sign.length() + body.length()) {
            body = "0".repeat(width - sign.length() - body.length()) + body;
        }
        pad(sign + body, flags, width);
        return null;
    }

    private void pad(String s, int flags, int width) {
        int fill = width - s.length();
        if (fill > 0 && (flags & LEFT) == 0) {
            out.repeat(' ', fill);
        }
        out.append(s);
        if (fill > 0 && (flags & LEFT) != 0) {
            out.repeat(' ', fill);
        }
    }

    /** {@code %p}: NULL and error pointers raw, others a keyed hash in the low 32 bits, as the kernel hides addresses. */
    private long hashed(long p) {
        if (p == 0 || Long.compareUnsigned(p, -4095L) >= 0) {
            return p;
        }
        long z = p ^ pointerKey;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return (z ^ (z >>> 33)) & 0xffffffffL;
    }

    private String ip(long address, boolean dotted, boolean v4) {
        int n = v4 ? 4 : 16;
        byte[] b = memory.bytes(address, n);
        if (b == null) {
            b = new byte[n];
        }
        StringBuilder sb = new StringBuilder();
        if (v4) {
            for (int k = 0; k < 4; k++) {
                if (k > 0) {
                    sb.append('.');
                }
                int octet = b[k] & 0xff;
                sb.append(dotted ? Integer.toString(octet) : String.format("%03d", octet));
            }
        } else if (dotted) {
            for (int k = 0; k < 16; k += 2) {
                if (k > 0) {
                    sb.append(':');
                }
                sb.append(HexFormat.of().toHexDigits((short) ((b[k] & 0xff) << 8 | (b[k + 1] & 0xff))));
            }
        } else {
            sb.append(HexFormat.of().formatHex(b));
        }
        return sb.toString();
    }

    private static boolean isPrint(int c) {
        return c >= 0x20 && c <= 0x7e;
    }

    private static boolean isSpace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static boolean isPunct(int c) {
        return isPrint(c) && c != ' ' && !Character.isLetterOrDigit(c);
    }
}
