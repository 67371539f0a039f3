package org.bpfsdt.api.spi;

/**
 * An SDT probe of a live target program, lent by the runtime to the link that attaches an
 * observer to it ({@link LinkContext#sdtAttachPoint}). It holds a counted reference on the
 * target, so the target stays loaded until {@link #close()}.
 */
public interface SdtAttachPoint extends AutoCloseable {
    /** The target program. */
    ProgramRef target();

    /** The probe as the observer's load found it: name, offsets, FUNC_PROTO id, argument registers, site address. */
    SdtProbeInfo probe();

    /** The calling model of the probe ({@link FuncModel#ofProbe} on the target's BTF). */
    FuncModel model();

    /**
     * The probe's site on the engine that runs the target now. While the runtime moves the target
     * to another engine, the listeners of {@link ProgramRef#onEngineChange} already see the new site.
     */
    SdtSite site();

    /** Releases the reference on the target. */
    @Override
    void close();
}
