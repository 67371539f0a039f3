/** The instruction model of RFC 9669 (v1 to v4), its assembler and disassemblers, and structural validation. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.bpfsdt.api.isa;
