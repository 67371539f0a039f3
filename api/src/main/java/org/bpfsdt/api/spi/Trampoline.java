package org.bpfsdt.api.spi;

/** Native code a probe site calls when observers are attached; freed once no run can be inside it. */
public interface Trampoline extends AutoCloseable {
    long address();

    @Override
    void close();
}
