/**
 * The service interfaces other bundles implement: {@link org.bpfsdt.api.spi.JitCompiler},
 * {@link org.bpfsdt.api.spi.Verifier}, {@link org.bpfsdt.api.spi.MapProvider} and
 * {@link org.bpfsdt.api.spi.LinkProvider}, with the data they exchange with the runtime.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.bpfsdt.api.spi;
