package org.bpfsdt.api;

/**
 * What a link is.
 *
 * @param id        link id
 * @param type      link type
 * @param programId the attached program, or 0 once detached
 * @param attachType the attach type
 * @param targetId  the target program's id, or 0
 * @param detail    a one-line description (for SDT: the probe name)
 */
public record LinkInfo(int id, LinkType type, int programId, AttachType attachType, int targetId, String detail) {
}
