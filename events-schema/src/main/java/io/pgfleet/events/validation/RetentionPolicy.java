package io.pgfleet.events.validation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code cleanupStrategy} turned into {@code restic forget} arguments. Only retention flags from an
 * allowlist, with checked values, get through; the result is an argument vector, never shell text.
 *
 * @param flags the restic arguments, e.g. {@code [--keep-last=5, --keep-daily=7]}
 */
public record RetentionPolicy(List<String> flags) {

    private static final Pattern COUNT = Pattern.compile("--keep-(last|hourly|daily|weekly|monthly|yearly)=(.*)");
    private static final Pattern WITHIN = Pattern.compile("--keep-within(-hourly|-daily|-weekly|-monthly|-yearly)?=(.*)");
    private static final Pattern TAG = Pattern.compile("--keep-tag=(.*)");
    private static final Pattern DURATION = Pattern.compile("(?:[0-9]+[ymdh])+");
    private static final Pattern TAG_VALUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");
    private static final String ALLOWED = "--keep-last|hourly|daily|weekly|monthly|yearly=N, "
            + "--keep-within[-hourly|-daily|-weekly|-monthly|-yearly]=DURATION, --keep-tag=TAG";

    public RetentionPolicy {
        flags = List.copyOf(flags);
    }

    /**
     * Parses a strategy such as {@code --keep-last=5 --keep-daily=7 --keep-within-weekly=2m}.
     *
     * @param text   the strategy
     * @param errors receives one message per bad word
     * @return the policy, or {@code null} when there were errors
     */
    public static RetentionPolicy parse(String text, List<String> errors) {
        List<String> flags = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int before = errors.size();
        if (text.isBlank()) {
            errors.add("must name at least one flag (" + ALLOWED + ")");
        }
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            String problem = checkWord(word);
            if (problem != null) {
                errors.add(problem);
                continue;
            }
            String flag = word.substring(0, word.indexOf('='));
            if (!flag.equals("--keep-tag") && !seen.add(flag)) {
                errors.add(flag + " is given twice");
                continue;
            }
            flags.add(word);
        }
        return errors.size() == before ? new RetentionPolicy(flags) : null;
    }

    /**
     * The point-in-time window this policy promises, in whole days (at least 1): the longest any flag keeps, reading
     * {@code --keep-last=N} as N daily backups, hourly/daily/weekly/monthly/yearly counts as that many hours, days, weeks
     * (7 d), months (30 d), years (365 d), and {@code --keep-within*=D} as D. Tags keep nothing by time. WAL archives
     * (pgBackRest's {@code repo1-retention-full-type=time}, Barman's {@code retentionPolicy}) keep this window.
     */
    public int windowDays() {
        double days = 1;
        for (String flag : flags) {
            Matcher count = COUNT.matcher(flag);
            Matcher within = WITHIN.matcher(flag);
            if (count.matches()) {
                long n = Long.parseLong(count.group(2));
                days = Math.max(days, switch (count.group(1)) {
                    case "hourly" -> n / 24.0;
                    case "weekly" -> n * 7.0;
                    case "monthly" -> n * 30.0;
                    case "yearly" -> n * 365.0;
                    default -> n;
                });
            } else if (within.matches()) {
                Matcher part = Pattern.compile("([0-9]+)([ymdh])").matcher(within.group(2));
                double total = 0;
                while (part.find()) {
                    long n = Long.parseLong(part.group(1));
                    total += switch (part.group(2)) {
                        case "y" -> n * 365.0;
                        case "m" -> n * 30.0;
                        case "h" -> n / 24.0;
                        default -> n;
                    };
                }
                days = Math.max(days, total);
            }
        }
        return (int) Math.min(36_500, Math.ceil(days));
    }

    private static String checkWord(String word) {
        Matcher count = COUNT.matcher(word);
        if (count.matches()) {
            String n = count.group(2);
            if (!n.matches("[0-9]{1,9}") || Integer.parseInt(n) < 1) {
                return "'" + word + "': the count must be a whole number of at least 1";
            }
            return null;
        }
        Matcher within = WITHIN.matcher(word);
        if (within.matches()) {
            String duration = within.group(2);
            if (!DURATION.matcher(duration).matches() || duration.replaceAll("[^1-9]", "").isEmpty()) {
                return "'" + word + "': the duration must be numbers with units y, m, d, h (e.g. 2m, 7d, 1y6m) and not zero";
            }
            return null;
        }
        Matcher tag = TAG.matcher(word);
        if (tag.matches()) {
            if (!TAG_VALUE.matcher(tag.group(1)).matches()) {
                return "'" + word + "': a tag is letters, digits, '_', '.', ':' and '-'";
            }
            return null;
        }
        return "'" + word + "' is not an allowed restic forget flag (allowed: " + ALLOWED + ")";
    }
}
