package io.pgfleet.events.envelope;

/** Kafka header names of CloudEvents 1.0 in binary mode (Kafka protocol binding). */
public final class CeHeaders {
    /** The longest command id taken. */
    public static final int MAX_ID_LENGTH = 200;
    /** The most of a header's text shown in a message. */
    private static final int SHOWN = 120;

    /**
     * A header's (or a record key's) text as a message, a log line or an event may show it: quoted, control, format and
     * line-separator characters escaped ({@code \u000a}), at most 120 characters, so that nothing a publisher writes starts
     * a log line of its own or hides what follows.
     */
    public static String shown(String text) {
        if (text == null) {
            return "(none)";
        }
        StringBuilder shown = new StringBuilder("'");
        text.codePoints().limit(SHOWN).forEach(c -> {
            if (!printable(c)) {
                shown.append(String.format("\\u%04x", c));
            } else {
                shown.appendCodePoint(c);
            }
        });
        return shown.append(text.codePointCount(0, text.length()) > SHOWN ? "…'" : "'").toString();
    }

    /** Whether every character of {@code text} shows as itself (none is a control, format or separator character). */
    public static boolean printable(String text) {
        return text.codePoints().allMatch(CeHeaders::printable);
    }

    private static boolean printable(int c) {
        int kind = Character.getType(c);
        return !(kind == Character.CONTROL || kind == Character.FORMAT || kind == Character.LINE_SEPARATOR
                || kind == Character.PARAGRAPH_SEPARATOR || kind == Character.UNASSIGNED || kind == Character.SURROGATE);
    }

    public static final String ID = "ce_id";
    public static final String SOURCE = "ce_source";
    public static final String TYPE = "ce_type";
    public static final String SPEC_VERSION = "ce_specversion";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    /** The versioned URI of the payload's JSON Schema. */
    public static final String DATA_SCHEMA = "ce_dataschema";
    /** The id of the command an event answers (extension {@code correlationid}). */
    public static final String CORRELATION_ID = "ce_correlationid";
    /** The payload's media type; the binding maps {@code datacontenttype} to this header. */
    public static final String CONTENT_TYPE = "content-type";

    public static final String SPEC_VERSION_1_0 = "1.0";
    public static final String JSON = "application/json";

    private CeHeaders() {
    }
}
