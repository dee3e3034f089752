package io.pgfleet.events.validation;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes resource quantities ({@code 10Gi}, {@code 500M}, {@code 1.5Ti}, {@code 1e9}), as bytes.
 */
public final class Quantity {

    private static final Pattern FORMAT = Pattern.compile(
            "(?<number>[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?<suffix>Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");
    private static final Map<String, BigDecimal> FACTORS = Map.ofEntries(
            Map.entry("", BigDecimal.ONE),
            Map.entry("m", new BigDecimal("0.001")),
            Map.entry("k", BigDecimal.TEN.pow(3)), Map.entry("M", BigDecimal.TEN.pow(6)),
            Map.entry("G", BigDecimal.TEN.pow(9)), Map.entry("T", BigDecimal.TEN.pow(12)),
            Map.entry("P", BigDecimal.TEN.pow(15)), Map.entry("E", BigDecimal.TEN.pow(18)),
            Map.entry("Ki", BigDecimal.valueOf(2).pow(10)), Map.entry("Mi", BigDecimal.valueOf(2).pow(20)),
            Map.entry("Gi", BigDecimal.valueOf(2).pow(30)), Map.entry("Ti", BigDecimal.valueOf(2).pow(40)),
            Map.entry("Pi", BigDecimal.valueOf(2).pow(50)), Map.entry("Ei", BigDecimal.valueOf(2).pow(60)));

    private Quantity() {
    }

    /**
     * The number of bytes a quantity stands for.
     *
     * @throws IllegalArgumentException with the rule when the text is not a quantity
     */
    public static BigDecimal bytes(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a Kubernetes quantity such as 10Gi, 500Mi or 1T");
        }
        BigDecimal number = new BigDecimal(m.group("number").endsWith(".") ? m.group("number") + "0" : m.group("number"));
        String suffix = m.group("suffix") == null ? "" : m.group("suffix");
        if (suffix.matches("[eE][+-]?[0-9]+")) {
            if (suffix.replaceFirst("^[eE][+-]?0*", "").length() > 3) {
                throw new IllegalArgumentException("'" + text + "' has an exponent out of range");
            }
            return number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
        }
        return number.multiply(FACTORS.get(suffix));
    }
}
