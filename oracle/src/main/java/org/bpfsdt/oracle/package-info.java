/** The Linux kernel's {@code bpf()} syscall through FFM, for tests and benchmarks that compare with the kernel. */
package org.bpfsdt.oracle;
