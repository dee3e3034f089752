package io.pgfleet.events.validation;

import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A standard 5-field cron expression: minute, hour, day of month, month, day of week. Each field
 * takes {@code *}, numbers, ranges {@code a-b}, steps {@code * /n} and {@code a-b/n}, and lists;
 * months and weekdays also take names ({@code JAN}, {@code MON}); weekday 7 is Sunday. As in cron,
 * when both day fields are restricted a day matches if either does.
 */
public final class CronExpression {

    private static final List<String> FIELD_NAMES = List.of("minute", "hour", "day of month", "month", "day of week");
    private static final int[] MIN = {0, 0, 1, 1, 0};
    private static final int[] MAX = {59, 23, 31, 12, 7};
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String text;
    private final BitSet[] fields;
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private CronExpression(String text, BitSet[] fields, boolean domRestricted, boolean dowRestricted) {
        this.text = text;
        this.fields = fields;
        this.domRestricted = domRestricted;
        this.dowRestricted = dowRestricted;
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException naming the field and the rule it breaks
     */
    public static CronExpression parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (text.isBlank() || parts.length != 5) {
            throw new IllegalArgumentException("'" + text + "' is not a 5-field cron expression "
                    + "(minute hour day-of-month month day-of-week), e.g. '0 2 * * *'");
        }
        BitSet[] fields = new BitSet[5];
        for (int i = 0; i < 5; i++) {
            fields[i] = parseField(parts[i], i);
        }
        if (fields[4].get(7)) {
            fields[4].set(0);
            fields[4].clear(7);
        }
        return new CronExpression(text, fields, !parts[2].equals("*"), !parts[4].equals("*"));
    }

    private static BitSet parseField(String field, int index) {
        BitSet values = new BitSet();
        for (String item : field.split(",", -1)) {
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(item.substring(slash + 1), index, field);
                if (step < 1) {
                    throw fieldError(index, field, "a step must be at least 1");
                }
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = MIN[index];
                to = index == 4 ? 6 : MAX[index];
            } else {
                int dash = range.indexOf('-');
                if (dash >= 0) {
                    from = value(range.substring(0, dash), index, field);
                    to = value(range.substring(dash + 1), index, field);
                    if (to < from) {
                        throw fieldError(index, field, "range " + range + " runs backwards");
                    }
                } else {
                    from = value(range, index, field);
                    to = slash >= 0 ? (index == 4 ? 6 : MAX[index]) : from;
                }
            }
            for (int v = from; v <= to; v += step) {
                values.set(v);
            }
        }
        return values;
    }

    private static int value(String token, int index, String field) {
        String upper = token.toUpperCase(Locale.ROOT);
        if (index == 3 && MONTHS.contains(upper)) {
            return MONTHS.indexOf(upper) + 1;
        }
        if (index == 4 && DAYS.contains(upper)) {
            return DAYS.indexOf(upper);
        }
        int v = number(token, index, field);
        if (v < MIN[index] || v > MAX[index]) {
            throw fieldError(index, field, token + " is outside " + MIN[index] + "-" + MAX[index]);
        }
        return v;
    }

    private static int number(String token, int index, String field) {
        if (token.isEmpty() || !token.chars().allMatch(Character::isDigit) || token.length() > 4) {
            throw fieldError(index, field, "'" + token + "' is not a number" + (index == 3 ? " or month name" : index == 4 ? " or day name" : ""));
        }
        return Integer.parseInt(token);
    }

    private static IllegalArgumentException fieldError(int index, String field, String rule) {
        return new IllegalArgumentException("the " + FIELD_NAMES.get(index) + " field '" + field + "' is invalid: " + rule);
    }

    /**
     * The first time strictly after {@code after} (to the minute) that matches, in {@code after}'s zone.
     *
     * @throws IllegalStateException when nothing matches within eight years (e.g. {@code 0 0 31 2 *})
     */
    public ZonedDateTime next(ZonedDateTime after) {
        ZonedDateTime t = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime limit = after.plusYears(8);
        while (t.isBefore(limit)) {
            if (!fields[3].get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
            } else if (!dayMatches(t.toLocalDate())) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!fields[1].get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!fields[0].get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return t;
            }
        }
        throw new IllegalStateException("'" + text + "' never fires");
    }

    private boolean dayMatches(LocalDate date) {
        boolean dom = fields[2].get(date.getDayOfMonth());
        boolean dow = fields[4].get(date.getDayOfWeek().getValue() % 7);
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    @Override
    public String toString() {
        return text;
    }
}
