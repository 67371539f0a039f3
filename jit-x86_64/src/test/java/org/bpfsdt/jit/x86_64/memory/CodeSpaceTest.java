package org.bpfsdt.jit.x86_64.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Code memory: W^X, two views of one memfd, reuse of the reserved range, freeing. */
class CodeSpaceTest {

    /** A line of /proc/self/maps. */
    private record Mapping(long start, long end, String perms) {
        static Mapping parse(String line) {
            String[] f = line.split("\\s+");
            String[] range = f[0].split("-");
            return new Mapping(Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16), f[1]);
        }

        boolean contains(long address) {
            return address >= start && address < end;
        }
    }

    private static List<Mapping> maps() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().map(Mapping::parse).toList();
    }

    private static Mapping mappingOf(long address) throws IOException {
        return maps().stream().filter(m -> m.contains(address)).findFirst().orElseThrow();
    }

    private static byte[] code(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 0xcc);
        b[0] = (byte) 0xc3;
        return b;
    }

    @Test
    void codeIsExecutableAndNeverWritableThere() throws IOException {
        try (CodeSpace space = new CodeSpace()) {
            CodeBlock fixed = space.map(code(100), false);
            CodeBlock patchable = space.map(code(5000), true);
            assertEquals("r-xs", mappingOf(fixed.address()).perms(), "shared memfd mapping, read and execute only");
            assertEquals("r-xs", mappingOf(patchable.address()).perms());
            assertEquals("rw-s", mappingOf(patchable.writableAddress()).perms(), "the patching view does not execute");
            assertEquals(0, fixed.writableAddress(), "code that is never patched keeps no writable view");
            long base = space.reservationBase();
            for (Mapping m : maps()) {
                if (m.end() > base && m.start() < base + space.reservationSize()) {
                    assertFalse(m.perms().contains("w"), "nothing in the code range is writable: " + m);
                }
            }
            assertEquals(8192, patchable.size(), "whole pages");
            assertTrue(CodeSpace.withinRel32(fixed.address(), patchable.address()), "blocks of one space reach each other with rel32");
            fixed.close();
            patchable.close();
            assertEquals(0, space.liveBlocks());
        }
    }

    @Test
    void aStoreThroughTheWritableViewIsWhatTheCodeViewReads() {
        try (CodeSpace space = new CodeSpace(); CodeBlock block = space.map(code(64), true)) {
            block.storeLong(8, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, block.loadLong(8));
            assertThrows(IllegalArgumentException.class, () -> block.storeLong(4, 0), "only aligned words are patched");
            assertThrows(IllegalArgumentException.class, () -> block.storeLong(4096, 0));
        }
    }

    @Test
    void freedRangesAreReusedAndLeftInaccessible() throws IOException {
        try (CodeSpace space = new CodeSpace()) {
            CodeBlock a = space.map(code(10), false);
            long at = a.address();
            a.close();
            a.close(); // idempotent
            assertEquals("---p", mappingOf(at).perms(), "the range is reserved again, not left mapped");
            try (CodeBlock b = space.map(code(10), false)) {
                assertEquals(at, b.address(), "first fit takes the freed range");
            }
        }
    }

    /** Blocks of mixed sizes taken and freed in random order stay disjoint and inside the reservation. */
    @Test
    void blocksNeverOverlap() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        try (CodeSpace space = new CodeSpace()) {
            List<CodeBlock> live = new java.util.ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                if (!live.isEmpty() && rnd.nextInt(5) < 2) {
                    live.remove(rnd.nextInt(live.size())).close();
                } else {
                    live.add(space.map(code(1 + rnd.nextInt(5 * 4096)), false));
                }
                if (i % 100 == 0) {
                    assertDisjointInside(space, live);
                }
            }
            assertDisjointInside(space, live);
            live.forEach(CodeBlock::close);
            assertEquals(0, space.liveBlocks());
        }
    }

    private static void assertDisjointInside(CodeSpace space, List<CodeBlock> live) {
        List<CodeBlock> sorted = live.stream().sorted(java.util.Comparator.comparingLong(CodeBlock::address)).toList();
        for (int i = 0; i < sorted.size(); i++) {
            CodeBlock b = sorted.get(i);
            assertTrue(b.address() >= space.reservationBase() && b.address() + b.size() <= space.reservationBase() + space.reservationSize());
            if (i > 0) {
                CodeBlock prev = sorted.get(i - 1);
                assertTrue(prev.address() + prev.size() <= b.address(), "blocks at " + prev.address() + " and " + b.address() + " overlap");
            }
        }
    }

    @Test
    void aClosedSpaceKeepsItsCodeUntilTheLastBlockGoes() throws IOException {
        CodeSpace space = new CodeSpace();
        CodeBlock block = space.map(code(10), false);
        space.close();
        assertThrows(IllegalStateException.class, () -> space.map(code(10), false));
        assertEquals("r-xs", mappingOf(block.address()).perms(), "closing the space does not pull code from under a run");
        block.close();
        assertEquals(0, space.liveBlocks());
    }

    @Test
    void aFullReservationFallsBackToMappingsAnywhere() {
        try (CodeSpace space = new CodeSpace(Posix.PAGE_SIZE)) {
            try (CodeBlock first = space.map(code(10), false); CodeBlock second = space.map(code(10), false)) {
                assertTrue(first.reserved());
                assertFalse(second.reserved());
            }
            assertEquals(0, space.liveBlocks());
        }
    }
}
