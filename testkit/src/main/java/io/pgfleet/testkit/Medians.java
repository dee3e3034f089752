package io.pgfleet.testkit;

import java.util.Collections;
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

    /** The median with the range of the rounds, as the benchmarks print it: {@code 12982 (12011–14310)}. */
    public static String withRange(List<Long> values) {
        return of(values) + " (" + Collections.min(values) + "–" + Collections.max(values) + ")";
    }
}
