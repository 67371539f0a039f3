/**
 * The libbpf of bpf-sdt: open a BPF object compiled by clang ({@link org.bpfsdt.loader.ObjectFile}),
 * inspect and configure its programs, maps and global variables, load it into a
 * {@link org.bpfsdt.api.BpfRuntime} and use what was loaded ({@link org.bpfsdt.loader.LoadedObject}).
 * The only exported package of the loader bundle; ELF, BTF and relocation code stays private.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.bpfsdt.loader;
