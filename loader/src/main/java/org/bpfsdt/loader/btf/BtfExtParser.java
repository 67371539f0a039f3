package org.bpfsdt.loader.btf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.loader.elf.ByteView;

/**
 * Reads {@code .BTF.ext}: a header, then func_info, line_info and (when the header is long
 * enough) CO-RE relocation sub-sections, each {@code u32 record_size} followed by per-section
 * blocks {@code {sec_name_off, num_info, records...}}. Names and strings index the {@code .BTF}
 * string table; type ids are checked against the object's BTF.
 */
public final class BtfExtParser {
    private static final int MIN_HEADER = 24, CORE_HEADER = 32;

    private BtfExtParser() {
    }

    public static BtfExt parse(ByteView data, RawBtf raw, Btf btf) {
        long hdrLen = BtfParser.headerLength(data, "BTF.ext", MIN_HEADER);
        ByteView body = data.slice(hdrLen, data.length() - hdrLen, "BTF.ext data", data.where());
        Map<String, List<BtfExt.FuncRecord>> funcs = readInfo(body, data.u32(8), data.u32(12), 8, "func_info", raw,
                (r) -> {
                    int type = r.view.s32(r.off + 4);
                    if (type <= 0 || type >= btf.size() || !(btf.type(type) instanceof BtfType.Func)) {
                        throw r.view.error("func_info of section '" + r.section + "' record " + r.index + ": type id "
                                + Integer.toUnsignedString(type) + " is not a FUNC");
                    }
                    return new BtfExt.FuncRecord(r.insn(), type);
                });
        Map<String, List<BtfExt.LineRecord>> lines = readInfo(body, data.u32(16), data.u32(20), 16, "line_info", raw,
                (r) -> {
                    String what = "line_info of section '" + r.section + "' record " + r.index;
                    String file = raw.string(r.view.u32(r.off + 4), what + ": file name");
                    String source = raw.string(r.view.u32(r.off + 8), what + ": source line");
                    long col = r.view.u32(r.off + 12);
                    return new BtfExt.LineRecord(r.insn(), file, source, (int) (col >>> 10), (int) (col & 0x3ff));
                });
        Map<String, List<BtfExt.CoreRelo>> relos = Map.of();
        if (hdrLen >= CORE_HEADER) {
            relos = readInfo(body, data.u32(24), data.u32(28), 16, "core_relo", raw, (r) -> {
                String what = "CO-RE relocation of section '" + r.section + "' record " + r.index;
                int type = r.view.s32(r.off + 4);
                if (type <= 0 || type >= btf.size()) {
                    throw r.view.error(what + ": type id " + Integer.toUnsignedString(type) + " does not exist");
                }
                String access = raw.string(r.view.u32(r.off + 8), what + ": access string");
                long kindNo = r.view.u32(r.off + 12);
                CoreReloKind kind = CoreReloKind.byNumber(kindNo);
                if (kind == null) {
                    throw r.view.error(what + ": unknown kind " + kindNo);
                }
                if (!access.matches("[0-9]+(:[0-9]+)*")) {
                    throw r.view.error(what + ": malformed access string '" + access + "'");
                }
                return new BtfExt.CoreRelo(r.insn(), type, access, kind);
            });
        }
        return new BtfExt(funcs, lines, relos);
    }

    /** One record being read: where it is and which instruction it describes. */
    private record Rec(ByteView view, long off, String section, int index) {
        int insn() {
            long byteOff = view.u32(off);
            if (byteOff % 8 != 0) {
                throw view.error("record " + index + " of section '" + section + "': instruction offset " + byteOff
                        + " is not a multiple of 8");
            }
            return (int) (byteOff / 8);
        }
    }

    private static <T> Map<String, List<T>> readInfo(ByteView body, long off, long len, int minRecord, String name,
                                                     RawBtf raw, Function<Rec, T> reader) {
        if (len == 0) {
            return Map.of();
        }
        if (!body.contains(off, len)) {
            throw body.error(name + " (offset " + off + ", " + len + " bytes) lies outside the " + body.length() + " bytes of data");
        }
        if (off % 4 != 0) {
            throw body.error(name + " offset " + off + " is not 4-byte aligned");
        }
        ByteView v = body.slice(off, len, name, body.where());
        long recSize = v.u32(0);
        if (recSize < minRecord || recSize % 4 != 0) {
            throw v.error(name + " record size " + recSize + " is invalid (at least " + minRecord + ", a multiple of 4)");
        }
        Map<String, List<T>> out = new LinkedHashMap<>();
        long p = 4;
        while (p < len) {
            if (!v.contains(p, 8)) {
                throw v.error(name + ": truncated section block at offset " + p);
            }
            String section = raw.string(v.u32(p), name + " block at offset " + p + ": section name");
            long count = v.u32(p + 4);
            p += 8;
            if (count == 0 || count > (len - p) / recSize) {
                throw v.error(name + " of section '" + section + "': " + count + " records of " + recSize
                        + " bytes do not fit in the " + (len - p) + " bytes left");
            }
            if (out.containsKey(section)) {
                throw v.error(name + ": section '" + section + "' appears twice");
            }
            List<T> list = new ArrayList<>((int) count);
            for (int i = 0; i < count; i++) {
                list.add(reader.apply(new Rec(v, p + i * recSize, section, i)));
            }
            out.put(section, List.copyOf(list));
            p += count * recSize;
        }
        return out;
    }
}
