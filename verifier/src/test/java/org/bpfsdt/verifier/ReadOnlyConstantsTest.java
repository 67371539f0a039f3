package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.loader.ObjectFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * {@code const volatile} globals ({@code .rodata}, frozen before load) are constants to the
 * verifier, as in Linux: {@code testprogs/rodata_consts.o} needs them to bound a loop, prune a
 * branch and size a helper's copy, and what a user sets before load decides the verdict and the
 * result, here as in the kernel.
 */
class ReadOnlyConstantsTest {
    private static final String OBJ = "rodata_consts.o";

    @ParameterizedTest(name = "{0} with {1} = {2}: {3}")
    @CsvSource({
            "rodata_loop, loop_count, 16, 1240",
            "rodata_loop, loop_count, 20, 1446",
            "rodata_loop, loop_count, 0, 0",
            "rodata_branch, trust_len, 0, 23",
            "rodata_copy, copy_len, 8, 2",
            "rodata_copy, copy_len, 16, 2"})
    void theValueSetBeforeLoadDecidesTheResult(String program, String variable, long value, long expected) {
        ObjectFile obj = ClangObjects.open(OBJ);
        obj.global(variable).set(value);
        ClangObjects.Outcome here = ClangObjects.here(obj, program);
        assertEquals(expected, here.retval(), here::toString);
        ClangObjects.Outcome kernel = ClangObjects.kernel(obj, program);
        if (kernel != null) {
            assertEquals(kernel.retval(), here.retval(), "the kernel's result: " + kernel);
        }
    }

    @ParameterizedTest(name = "{0} with {1} = {2}: {3}")
    @CsvSource({
            "rodata_loop, loop_count, 65, EACCES, invalid read from stack",
            "rodata_branch, trust_len, 1, EACCES, R1 offset is outside of the packet",
            "rodata_copy, copy_len, 17, EINVAL, invalid write to stack R3 off=-16 size=17"})
    void theValueSetBeforeLoadDecidesTheVerdict(String program, String variable, long value, Errno errno, String message) {
        ObjectFile obj = ClangObjects.open(OBJ);
        obj.global(variable).set(value);
        ClangObjects.Outcome here = ClangObjects.here(obj, program);
        assertFalse(here.accepted(), here::toString);
        assertEquals(errno, here.refusal().errno(), here::toString);
        assertTrue(here.refusal().getMessage().contains(message), here::toString);
        ClangObjects.Outcome kernel = ClangObjects.kernel(obj, program);
        if (kernel != null) {
            assertFalse(kernel.accepted(), "the kernel refuses it too: " + kernel);
            assertEquals(errno, kernel.refusal().errno(), kernel::toString);
        }
    }

    /** The log shows the constant the load gave ({@code R2=16}), where a writable global would be an unknown scalar. */
    @Test
    void theLogShowsTheConstant() {
        ObjectFile obj = ClangObjects.open(OBJ);
        try (Arena arena = Arena.ofConfined()) {
            VerifierResult r = new BpfVerifier().verify(ObjectRequests.of(obj, obj.program("rodata_loop"), 2, arena));
            assertTrue(r.log().contains("r2 = *(u32 *)(r1 +0)") && r.log().contains("R2=16"), r.log());
        }
    }
}
