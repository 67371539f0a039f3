package org.bpfsdt.core.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Services of one kind (verifiers, map providers, link providers) as they come and go, best
 * first: highest {@code service.ranking}, then earliest registered, as OSGi orders them.
 */
final class ServiceSet<S> {
    private record Entry<S>(S service, int ranking, long order) {
    }

    private final List<Entry<S>> entries = new ArrayList<>();
    private long nextOrder;

    synchronized void add(S service, Map<String, ?> props) {
        Object r = props == null ? null : props.get("service.ranking");
        int ranking = r instanceof Number n ? n.intValue() : 0;
        entries.add(new Entry<>(service, ranking, nextOrder++));
        entries.sort(Comparator.<Entry<S>>comparingInt(Entry::ranking).reversed().thenComparingLong(Entry::order));
    }

    synchronized void remove(S service) {
        entries.removeIf(e -> e.service() == service);
    }

    synchronized Optional<S> best(Predicate<S> filter) {
        return entries.stream().map(Entry::service).filter(filter).findFirst();
    }

    synchronized boolean isEmpty() {
        return entries.isEmpty();
    }
}
