package io.pgfleet.testkit;

import java.util.List;

/** What the benchmarks report of their alternating rounds. */
public final class Medians {

    private Medians() {
    }

    /** The middle value (of an even count, the upper of the two middle ones). */
    public static long of(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
