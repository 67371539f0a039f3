package org.bpfsdt.api.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfsdt.api.spi.ContextLayout;
import org.bpfsdt.api.spi.ContextLayouts;
import org.junit.jupiter.api.Test;

/** The runtime's context BTF says what ContextLayouts says, and reads as the kernel's UAPI. */
class ContextBtfTest {
    private final Btf btf = ContextBtf.get();

    private BtfType.Struct struct(String name) {
        return (BtfType.Struct) btf.type(btf.find(BtfKind.STRUCT, name).orElseThrow());
    }

    /** The byte offset of {@code field} ({@code cb[2]} allowed), looking into anonymous unions as C does. */
    private int offsetOf(BtfType.Struct s, String field) {
        String name = field.replaceAll("\\[.*", "");
        int index = field.contains("[") ? Integer.parseInt(field.replaceAll(".*\\[(\\d+)\\]", "$1")) : 0;
        for (BtfType.Member m : s.members()) {
            if (m.name().equals(name)) {
                return m.bitOffset() / 8 + index * 4;
            }
            if (m.name().isEmpty() && btf.resolve(m.type()) instanceof BtfType.Union u
                    && u.members().stream().anyMatch(x -> x.name().equals(name))) {
                return m.bitOffset() / 8;
            }
        }
        throw new AssertionError("no field " + field + " in " + s.name());
    }

    @Test
    void everyContextFieldSitsWhereTheLayoutSays() {
        for (ContextLayout layout : List.of(ContextLayouts.xdp(), ContextLayouts.skb(true), ContextLayouts.skb(false))) {
            BtfType.Struct s = struct(layout.name());
            assertEquals(layout.size(), s.size(), layout.name());
            for (ContextLayout.Field f : layout.fields()) {
                assertEquals(f.offset(), offsetOf(s, f.name()), layout.name() + "." + f.name());
            }
        }
    }

    @Test
    void dumpsAsTheUapiDeclares() {
        String c = BtfCDump.dump(btf);
        assertTrue(c.contains("struct xdp_md {\n\t__u32 data;\n\t__u32 data_end;"), c);
        assertTrue(c.contains("\tunion {\n\t\tstruct bpf_flow_keys *flow_keys;\n\t};"), c);
        assertTrue(c.contains("\t__u32 cb[5];"), c);
        assertTrue(c.contains("\t__s32 rx_queue_mapping;"), c);
        assertEquals(80, btf.sizeOf(btf.find(BtfKind.STRUCT, "bpf_sock").orElseThrow()));
    }

    @Test
    void declarationsInlineAnonymousTypes() {
        BtfBuilder b = new BtfBuilder();
        int u32 = b.integer("unsigned int", 4, false);
        int anon = b.struct("", 8, List.of(BtfBuilder.member("a", u32, 0), BtfBuilder.member("b", u32, 4)));
        Btf t = b.build();
        assertEquals("struct {\n\tunsigned int a;\n\tunsigned int b;\n} pair", BtfCDump.declaration(t, anon, "pair"));
        assertEquals("unsigned int *p", BtfCDump.declaration(BtfWith.ptr(t, u32), t.size(), "p"));
    }

    /** Small helpers to extend a built Btf in a test. */
    private static final class BtfWith {
        static Btf ptr(Btf base, int target) {
            List<BtfType> types = new java.util.ArrayList<>(base.types());
            types.add(new BtfType.Ptr(target));
            return new Btf(types);
        }
    }
}
