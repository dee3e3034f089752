package io.pgfleet.events.validation;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.ZoneOffset;

/**
 * A standard 5-field (Unix) cron expression: minute, hour, day of month, month, day of week, parsed and
 * evaluated by cron-utils. Each field takes {@code *}, numbers, ranges, steps, lists; months and weekdays
 * also take names ({@code JAN}, {@code MON}); weekday 7 is Sunday; when both day fields are restricted a
 * day matches if either does. What this class adds is the answer to a bad expression: which field, which
 * value, which rule.
 */
public final class CronExpression {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final List<String> FIELD_NAMES = List.of("minute", "hour", "day of month", "month", "day of week");
    private static final Pattern OUT_OF_RANGE = Pattern.compile("Value (\\S+) not in range \\[(\\d+), (\\d+)]");
    private static final Pattern BACKWARDS = Pattern.compile("Invalid range! \\[(\\d+),\\s*(\\d+)]");
    private static final Pattern PERIOD = Pattern.compile("Period (\\d+) not in range");

    private final String text;
    private final ExecutionTime execution;

    private CronExpression(String text, Cron cron) {
        this.text = text;
        this.execution = ExecutionTime.forCron(cron);
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
        CronExpression parsed;
        try {
            parsed = new CronExpression(text, PARSER.parse(text.trim()).validate());
        } catch (IllegalArgumentException e) {
            throw fieldError(parts, e);
        }
        // Some expressions parse but name no date at all (the 31st of February): refused here, not found out at every tick.
        if (parsed.execution.nextExecution(NEVER_BEFORE).isEmpty()) {
            throw new IllegalArgumentException("'" + text.trim() + "' never fires: no date has that day of the month in those months");
        }
        return parsed;
    }

    /** Where the check that an expression fires at all starts: every date a valid expression names recurs within 28 years of it. */
    private static final ZonedDateTime NEVER_BEFORE = ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    /** Finds the field cron-utils refused (each alone, the others {@code *}) and says its rule in the API's words. */
    private static IllegalArgumentException fieldError(String[] parts, IllegalArgumentException whole) {
        for (int i = 0; i < parts.length; i++) {
            String[] alone = {"*", "*", "*", "*", "*"};
            alone[i] = parts[i];
            try {
                PARSER.parse(String.join(" ", alone)).validate();
            } catch (IllegalArgumentException e) {
                return new IllegalArgumentException("the " + FIELD_NAMES.get(i) + " field '" + parts[i] + "' is invalid: " + rule(e), e);
            }
        }
        return new IllegalArgumentException("'" + String.join(" ", parts) + "' is not a valid cron expression: " + rule(whole), whole);
    }

    private static String rule(IllegalArgumentException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().replace("Failed to parse cron expression. ", "");
        Matcher range = OUT_OF_RANGE.matcher(message);
        if (range.find()) {
            return range.group(1) + " is outside " + range.group(2) + "-" + range.group(3);
        }
        Matcher backwards = BACKWARDS.matcher(message);
        if (backwards.find()) {
            return "range " + backwards.group(1) + "-" + backwards.group(2) + " runs backwards";
        }
        if (PERIOD.matcher(message).find()) {
            return "a step must be at least 1";
        }
        return message;
    }

    /**
     * The first time strictly after {@code after} (to the minute) that matches, in {@code after}'s zone.
     *
     * @throws IllegalStateException when nothing ever matches (e.g. {@code 0 0 31 2 *})
     */
    public ZonedDateTime next(ZonedDateTime after) {
        return execution.nextExecution(after).orElseThrow(() -> new IllegalStateException("'" + text + "' never fires"));
    }

    @Override
    public String toString() {
        return text;
    }
}
