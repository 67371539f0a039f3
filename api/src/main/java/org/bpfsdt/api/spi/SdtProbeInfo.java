package org.bpfsdt.api.spi;

/**
 * What an observer's load finds for its probe ({@code struct bpf_sdt_probe_info}): the probe's
 * entry in the target's INSN_ARRAY map and the address of its site in native code.
 *
 * @param probe     the probe (name, offsets, FUNC_PROTO id, argument registers)
 * @param jittedOff the site's offset in the target's native image, 0 when it is not compiled
 * @param probeIp   the site's address when the image runs on this host, else 0
 */
public record SdtProbeInfo(SdtProbe probe, int jittedOff, long probeIp) {
}
