package org.bpfsdt.api.spi;

import java.util.Set;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.LinkSpec;

/** A service that creates links for some attach types. */
public interface LinkProvider {
    Set<AttachType> attachTypes();

    /** Attaches as {@code spec} says; throws {@link org.bpfsdt.api.BpfException} and attaches nothing on failure. */
    LinkBackend create(LinkSpec spec, LinkContext context);
}
