package org.bpfsdt.api.btf;

/** BTF.ext func_info: the subprogram starting at instruction {@code insnOff} has BTF FUNC {@code typeId}. */
public record FuncInfo(int insnOff, int typeId) {
}
