package org.bpfsdt.core.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.bpfsdt.api.RingBufferReader;

/** A ring buffer reader holding a reference on its map, released when the reader closes. */
final class RingReader implements RingBufferReader {
    private final LoadedMap map;
    private final RingBufferReader reader;
    private final AtomicBoolean open = new AtomicBoolean(true);

    RingReader(LoadedMap map, RingBufferReader reader) {
        this.map = map;
        this.reader = reader;
    }

    @Override
    public int consume(RecordHandler handler) {
        return reader.consume(handler);
    }

    @Override
    public int poll(RecordHandler handler, Duration timeout) throws InterruptedException {
        return reader.poll(handler, timeout);
    }

    @Override
    public long availableBytes() {
        return reader.availableBytes();
    }

    @Override
    public long ringSize() {
        return reader.ringSize();
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            reader.close();
            map.release();
        }
    }
}
