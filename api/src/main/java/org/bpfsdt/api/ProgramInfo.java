package org.bpfsdt.api;

/**
 * What a loaded program is ({@code bpf_prog_info}).
 *
 * @param id             program id
 * @param type           program type
 * @param expectedAttachType attach type or {@code null}
 * @param name           name
 * @param tag            the kernel's tag: the first 8 bytes of the SHA-1 of the instructions, in hex
 * @param insnCount      instruction slots as loaded
 * @param xlatedCount    instruction slots after the verifier's rewrites
 * @param engine         the engine running it now ({@code interpreter}, {@code x86_64}, ...)
 * @param jitedBytes     bytes of native code, 0 when interpreted
 * @param mapIds         ids of the maps it uses
 * @param verifiedInsns  instructions the verifier processed
 */
public record ProgramInfo(int id, ProgramType type, AttachType expectedAttachType, String name, String tag, int insnCount,
                          int xlatedCount, String engine, int jitedBytes, int[] mapIds, int verifiedInsns) {
}
