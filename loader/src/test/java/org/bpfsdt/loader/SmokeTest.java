package org.bpfsdt.loader;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void all() {
        System.out.println(TestObjects.open("subprogs.o").program("prog_a").disassembly());
        System.out.println(TestObjects.open("helpers_misc.o").program("helpers_misc").disassembly());
        System.out.println(TestObjects.open("core_ctx.o").program("core_ctx").disassembly());
        System.out.println(TestObjects.open("global_data.o").program("global_data").disassembly());
    }
}
