package org.bpfsdt.maps.lpm;

import static org.bpfsdt.maps.Errors.assertErrno;
import static org.bpfsdt.maps.Errors.assertRc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.maps.Mem;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.maps.TestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LpmTrieMapTest {
    private final TestContext ctx = new TestContext();
    private final StandardMapProvider provider = new StandardMapProvider();

    @AfterEach
    void noNativeMemoryLeft() {
        assertEquals(0, provider.memory().bytes());
    }

    private MapBackend ipv4(int maxEntries) {
        return provider.create(MapSpec.of(MapType.LPM_TRIE, 8, 4, maxEntries).withFlags(MapFlags.NO_PREALLOC), ctx);
    }

    /** {@code struct { u32 prefixlen; u8 addr[4]; }} for "a.b.c.d/len". */
    static MemorySegment cidr(String text) {
        String[] parts = text.split("/");
        String[] octets = parts[0].split("\\.");
        MemorySegment k = Mem.alloc(8);
        k.set(ValueLayout.JAVA_INT, 0, parts.length > 1 ? Integer.parseInt(parts[1]) : 32);
        for (int i = 0; i < 4; i++) {
            k.set(ValueLayout.JAVA_BYTE, 4 + i, (byte) Integer.parseInt(octets[i]));
        }
        return k;
    }

    static String text(MemorySegment k) {
        return String.format("%d.%d.%d.%d/%d", k.get(ValueLayout.JAVA_BYTE, 4) & 0xff, k.get(ValueLayout.JAVA_BYTE, 5) & 0xff,
                k.get(ValueLayout.JAVA_BYTE, 6) & 0xff, k.get(ValueLayout.JAVA_BYTE, 7) & 0xff, k.get(ValueLayout.JAVA_INT, 0));
    }

    private static int match(MapBackend m, String address) {
        MemorySegment out = Mem.alloc(4);
        return m.lookup(cidr(address), out) ? Mem.u32(out) : -1;
    }

    @Test
    void createChecksFollowTrieAlloc() {
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.LPM_TRIE, 8, 4, 1), ctx), "tries need BPF_F_NO_PREALLOC");
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.LPM_TRIE, 8, 4, 0).withFlags(MapFlags.NO_PREALLOC), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.LPM_TRIE, 4, 4, 1).withFlags(MapFlags.NO_PREALLOC), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.LPM_TRIE, 261, 4, 1).withFlags(MapFlags.NO_PREALLOC), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.LPM_TRIE, 8, 0, 1).withFlags(MapFlags.NO_PREALLOC), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.LPM_TRIE, 8, 4, 1)
                .withFlags(MapFlags.NO_PREALLOC | MapFlags.ZERO_SEED), ctx));
        provider.create(MapSpec.of(MapType.LPM_TRIE, 260, 4, 1).withFlags(MapFlags.NO_PREALLOC), ctx).close();
    }

    @Test
    void lookupsFindTheLongestMatchingPrefix() {
        try (MapBackend m = ipv4(16)) {
            m.update(cidr("192.168.0.0/16"), Mem.u32(16), MapFlags.ANY);
            m.update(cidr("192.168.0.0/24"), Mem.u32(24), MapFlags.ANY);
            m.update(cidr("192.168.1.0/24"), Mem.u32(241), MapFlags.ANY);
            m.update(cidr("192.168.128.0/24"), Mem.u32(2428), MapFlags.ANY);
            m.update(cidr("10.0.0.0/8"), Mem.u32(8), MapFlags.ANY);
            m.update(cidr("0.0.0.0/0"), Mem.u32(0), MapFlags.ANY);

            assertEquals(24, match(m, "192.168.0.7"));
            assertEquals(241, match(m, "192.168.1.255"));
            assertEquals(2428, match(m, "192.168.128.1"));
            assertEquals(16, match(m, "192.168.2.1"));
            assertEquals(8, match(m, "10.200.0.1"));
            assertEquals(0, match(m, "8.8.8.8"), "the default route matches everything else");
            assertEquals(16, match(m, "192.168.0.7/20"), "a shorter lookup prefix limits the match");

            long addr = m.lookup(cidr("192.168.1.9").address());
            assertEquals(241, Mem.u32At(addr), "programs get the value's address");
            assertEquals(0, m.lookup(cidr("1.2.3.4/33").address()), "a prefix longer than the data finds nothing");
        }
    }

    @Test
    void deletesNeedTheExactPrefixAndKeepTheRest() {
        try (MapBackend m = ipv4(8)) {
            m.update(cidr("192.168.0.0/16"), Mem.u32(16), MapFlags.ANY);
            m.update(cidr("192.168.0.0/24"), Mem.u32(24), MapFlags.ANY);
            m.update(cidr("192.168.1.0/24"), Mem.u32(241), MapFlags.ANY);
            assertFalse(m.delete(cidr("192.168.0.0/23")));
            assertTrue(m.delete(cidr("192.168.0.0/16")));
            assertEquals(24, match(m, "192.168.0.1"));
            assertEquals(-1, match(m, "192.168.2.1"));
            assertTrue(m.delete(cidr("192.168.0.0/24")));
            assertEquals(241, match(m, "192.168.1.1"));
            assertTrue(m.delete(cidr("192.168.1.0/24")));
            assertEquals(-1, match(m, "192.168.1.1"));
            assertFalse(m.nextKey(null, Mem.alloc(8)));
            assertErrno(Errno.EINVAL, () -> m.delete(cidr("1.2.3.4/40")));
        }
    }

    @Test
    void updateFlagsAndFullTriesFollowTheKernel() {
        try (MapBackend m = ipv4(2)) {
            assertErrno(Errno.ENOENT, () -> m.update(cidr("10.0.0.0/24"), Mem.u32(1), MapFlags.EXIST));
            m.update(cidr("10.0.0.0/24"), Mem.u32(1), MapFlags.NOEXIST);
            assertErrno(Errno.EEXIST, () -> m.update(cidr("10.0.0.0/24"), Mem.u32(2), MapFlags.NOEXIST));
            m.update(cidr("10.0.0.0/16"), Mem.u32(3), MapFlags.ANY);
            assertErrno(Errno.ENOSPC, () -> m.update(cidr("10.0.0.0/8"), Mem.u32(4), MapFlags.ANY));
            m.update(cidr("10.0.0.0/16"), Mem.u32(5), MapFlags.EXIST); // replacing works in a full trie
            assertEquals(5, match(m, "10.0.1.1"));
            assertErrno(Errno.EINVAL, () -> m.update(cidr("10.0.0.0/33"), Mem.u32(1), MapFlags.ANY));
            assertErrno(Errno.EINVAL, () -> m.update(cidr("10.0.0.0/8"), Mem.u32(1), MapFlags.F_LOCK));
            assertErrno(Errno.ENOTSUPP, () -> m.lookupAndDelete(cidr("10.0.0.0/16"), Mem.alloc(4)));
            assertRc(Errno.ENOSPC, m.update(cidr("11.0.0.0/8").address(), Mem.u32(1).address(), MapFlags.ANY));
            assertEquals(0, m.delete(cidr("10.0.0.0/16").address()));
            assertEquals(0, m.update(cidr("11.0.0.0/8").address(), Mem.u32(1).address(), MapFlags.ANY));
        }
    }

    @Test
    void nextKeyWalksMoreSpecificPrefixesFirst() {
        try (MapBackend m = ipv4(8)) {
            for (String c : new String[] {"192.168.0.0/16", "192.168.0.0/24", "192.168.1.0/24", "192.168.128.0/24"}) {
                m.update(cidr(c), Mem.u32(1), MapFlags.ANY);
            }
            // the order of the example in the kernel's lpm_trie.c
            assertEquals(List.of("192.168.0.0/24", "192.168.1.0/24", "192.168.128.0/24", "192.168.0.0/16"), iterate(m));
            MemorySegment next = Mem.alloc(8);
            assertTrue(m.nextKey(cidr("1.1.1.1/32"), next));
            assertEquals("192.168.0.0/24", text(next), "a key not in the trie restarts from the first");
        }
    }

    static List<String> iterate(MapBackend m) {
        List<String> out = new ArrayList<>();
        MemorySegment key = null;
        MemorySegment next = Mem.alloc(8);
        while (m.nextKey(key, next)) {
            out.add(text(next));
            key = Mem.alloc(8);
            key.copyFrom(next);
        }
        return out;
    }

    @Test
    void wideKeysMatchBitByBitAcrossWords() {
        try (MapBackend m = provider.create(MapSpec.of(MapType.LPM_TRIE, 4 + 16, 8, 4).withFlags(MapFlags.NO_PREALLOC), ctx)) {
            MemorySegment net = Mem.alloc(20);
            net.set(ValueLayout.JAVA_INT, 0, 75);
            net.set(ValueLayout.JAVA_BYTE, 4, (byte) 0x20);
            net.set(ValueLayout.JAVA_BYTE, 5, (byte) 0x01);
            net.set(ValueLayout.JAVA_BYTE, 13, (byte) 0x80); // bit 72 is set: /75 covers it
            m.update(net, Mem.u64(75), MapFlags.ANY);
            MemorySegment host = Mem.alloc(20);
            host.copyFrom(net);
            host.set(ValueLayout.JAVA_INT, 0, 128);
            host.set(ValueLayout.JAVA_BYTE, 13, (byte) 0x9f); // differs from bit 75 on
            assertEquals(75, Mem.u64At(m.lookup(host.address())));
            host.set(ValueLayout.JAVA_BYTE, 13, (byte) 0x00); // differs at bit 72
            assertEquals(0, m.lookup(host.address()));
        }
    }
}
