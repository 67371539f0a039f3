package org.bpfsdt.api.isa;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.BpfException;

/** Bytes to instruction slots and back, little endian as BPF objects store them. */
public final class InsnCodec {
    private InsnCodec() {
    }

    /** Decodes {@code bytes} (a multiple of 8) into slots. */
    public static List<Insn> decode(byte[] bytes) {
        if (bytes.length % 8 != 0) {
            throw BpfException.einval("program length " + bytes.length + " is not a multiple of 8 bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Insn> out = new ArrayList<>(bytes.length / 8);
        while (b.hasRemaining()) {
            out.add(Insn.decode(b.getLong()));
        }
        return List.copyOf(out);
    }

    public static List<Insn> decode(long[] words) {
        List<Insn> out = new ArrayList<>(words.length);
        for (long w : words) {
            out.add(Insn.decode(w));
        }
        return List.copyOf(out);
    }

    public static byte[] encode(List<Insn> insns) {
        ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Insn i : insns) {
            b.putLong(i.encode());
        }
        return b.array();
    }

    public static long[] encodeWords(List<Insn> insns) {
        long[] out = new long[insns.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = insns.get(i).encode();
        }
        return out;
    }
}
