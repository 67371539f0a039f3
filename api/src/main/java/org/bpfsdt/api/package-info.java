/**
 * The runtime facade ("the syscall"): maps, programs, links, test runs, and the errors,
 * types and flags they use. Obtain a {@link org.bpfsdt.api.BpfRuntime} from the OSGi service
 * registry or with {@link java.util.ServiceLoader}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.bpfsdt.api;
