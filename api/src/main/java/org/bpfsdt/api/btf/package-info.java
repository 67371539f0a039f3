/** The BTF type model shared by the loader, the verifier and the runtime. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.bpfsdt.api.btf;
