package org.bpfsdt.core.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import org.bpfsdt.api.Errno;
import org.junit.jupiter.api.Test;

/** The kernel's {@code bpf_trace_printk} format rules, case by case. */
class PrintkFormatTest {
    /** A fake address space: strings and bytes at chosen addresses, everything else unreadable. */
    private static final PrintkFormat.Memory MEMORY = new PrintkFormat.Memory() {
        private final Map<Long, byte[]> at = Map.of(
                0x1000L, "world".getBytes(StandardCharsets.US_ASCII),
                0x2000L, new byte[] {10, 0, 0, 1},
                0x3000L, new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

        @Override
        public String string(long address, int max) {
            byte[] b = at.get(address);
            if (b == null) {
                return null;
            }
            return new String(b, 0, Math.min(b.length, max - 1), StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] bytes(long address, int n) {
            byte[] b = at.get(address);
            return b == null || b.length < n ? null : Arrays.copyOf(b, n);
        }
    };

    private static PrintkFormat.Printed printk(String fmt, long... args) {
        byte[] f = (fmt + "\0").getBytes(StandardCharsets.ISO_8859_1);
        return PrintkFormat.format(f, args, 42, MEMORY);
    }

    private static String text(String fmt, long... args) {
        PrintkFormat.Printed p = printk(fmt, args);
        assertEquals(0, p.error(), () -> "'" + fmt + "' was refused");
        return p.text();
    }

    private static void refused(Errno errno, String fmt, long... args) {
        assertEquals(-errno.code(), printk(fmt, args).error(), () -> "'" + fmt + "' should be refused with " + errno);
    }

    @Test
    void integersTakeTheirSizeFromTheLengthModifier() {
        assertEquals("len=64", text("len=%d", 64));
        assertEquals("-1 4294967295 ffffffff", text("%d %u %x", -1, -1, -1));
        assertEquals("FFFFFFFF", text("%X", -1));
        assertEquals("-1 18446744073709551615 ffffffffffffffff", text("%ld %llu %llx", -1, -1, -1));
        assertEquals("-2147483648", text("%i", 0x80000000L));
        assertEquals("5 100", text("%lu %lli", 5, 100));
    }

    @Test
    void flagsAndWidthPadAsTheKernelDoes() {
        assertEquals("[   42]", text("[%5d]", 42));
        assertEquals("[42   ]", text("[%-5d]", 42));
        assertEquals("[00042]", text("[%05d]", 42));
        assertEquals("[-0042]", text("[%05d]", -42));
        assertEquals("[+42] [ 42]", text("[%+d] [% d]", 42, 42));
        assertEquals("[0000beef]", text("[%08x]", 0xbeef));
        assertEquals("[    x] [x    ]", text("[%5c] [%-5c]", 'x', 'x'));
        assertEquals("[world     ]", text("[%-10s]", 0x1000L));
    }

    @Test
    void percentPercentIsALiteralAndNeedsNoArgument() {
        assertEquals("100% done", text("100%% done"));
    }

    @Test
    void stringsAreReadFromMemoryAndAnUnreadableOneIsEmpty() {
        assertEquals("hello world!", text("hello %s!", 0x1000L));
        assertEquals("[]", text("[%s]", 0xdead0000L));
        assertEquals("world world", text("%pks %pus", 0x1000L, 0x1000L));
    }

    @Test
    void pointersAreHashedUnlessRawIsAsked() {
        String hashed = text("%p", 0x7f0012345678L);
        assertEquals(16, hashed.length());
        assertTrue(hashed.startsWith("00000000"), hashed);
        assertNotEquals("00007f0012345678", hashed);
        assertEquals(hashed, text("%pK", 0x7f0012345678L), "%pK hashes as %p does");
        assertEquals("00007f0012345678", text("%px", 0x7f0012345678L));
        assertEquals("0000000000000000", text("%p", 0), "NULL is printed as it is");
        assertEquals("0x7f0012345678", text("%ps", 0x7f0012345678L), "no symbols: the address");
        assertEquals("0x1234 ", text("%pB ", 0x1234));
    }

    @Test
    void ipAddressesAreReadFromMemory() {
        assertEquals("10.0.0.1", text("%pI4", 0x2000L));
        assertEquals("010.000.000.001", text("%pi4", 0x2000L));
        assertEquals("2001:0db8:0000:0000:0000:0000:0000:0001", text("%pI6", 0x3000L));
        assertEquals("20010db8000000000000000000000001", text("%pi6", 0x3000L));
        assertEquals("0.0.0.0", text("%pI4", 0x9000L), "unreadable: zeros");
    }

    @Test
    void theKernelsRefusals() {
        refused(Errno.EINVAL, "%d %d %d %d", 1, 2, 3, 4);
        refused(Errno.EINVAL, "%f", 1);
        refused(Errno.EINVAL, "%hd", 1);
        refused(Errno.EINVAL, "%.2d", 1);
        refused(Errno.EINVAL, "%#x", 1);
        refused(Errno.EINVAL, "%lf", 1);
        refused(Errno.EINVAL, "%sx", 0x1000L);
        refused(Errno.EINVAL, "%pZ", 1);
        refused(Errno.EINVAL, "%pI5", 1);
        refused(Errno.EINVAL, "trailing %");
        refused(Errno.EINVAL, "bell \u0007");
        refused(Errno.EINVAL, "latin \u00e9");
        // no NUL inside fmt_size
        assertEquals(-Errno.EINVAL.code(), PrintkFormat.format("abc".getBytes(StandardCharsets.US_ASCII), new long[3], 1, MEMORY).error());
    }

    @Test
    void textEndsAtTheFirstNulAndMayHoldTabsAndNewlines() {
        byte[] f = "a\tb\n\0ignored %q".getBytes(StandardCharsets.US_ASCII);
        PrintkFormat.Printed p = PrintkFormat.format(f, new long[3], 1, MEMORY);
        assertEquals(0, p.error());
        assertEquals("a\tb\n", p.text());
        assertEquals(4, p.length());
    }

    @Test
    void longOutputIsCutButItsLengthIsReturned() {
        String fmt = "x".repeat(2000);
        PrintkFormat.Printed p = printk(fmt);
        assertEquals(2000, p.length());
        assertEquals(PrintkFormat.MAX_OUTPUT - 1, p.text().length());
    }

    @Test
    void argumentsShareTheKernelsBuffer() {
        PrintkFormat.Memory longString = new PrintkFormat.Memory() {
            @Override
            public String string(long address, int max) {
                return "y".repeat(Math.min(600, max - 1));
            }

            @Override
            public byte[] bytes(long address, int n) {
                return null;
            }
        };
        // the first string takes all 512 bytes: the second has no room
        byte[] f = "%s%s\0".getBytes(StandardCharsets.US_ASCII);
        assertEquals(-Errno.ENOSPC.code(), PrintkFormat.format(f, new long[] {1, 2, 0}, 1, longString).error());
        PrintkFormat.Printed one = PrintkFormat.format("%s\0".getBytes(StandardCharsets.US_ASCII), new long[] {1, 0, 0}, 1, longString);
        assertEquals(511, one.text().length());
    }
}
