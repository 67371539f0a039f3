package org.bpfsdt.api.spi;

/**
 * A patchable SDT site in native code.
 *
 * @param probe        the probe
 * @param nativeOffset offset of the patchable NOP in the image
 * @param address      its address when the image is mapped on this host, else 0
 */
public record ProbeSite(SdtProbe probe, int nativeOffset, long address) {
}
