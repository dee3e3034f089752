package io.pgfleet.events.envelope;

/**
 * The headers a service adds to a record it could not read when it copies it to {@code <topic>.dlq}, beside the record's
 * own key and headers. The copy's value is the original with every secret field in clear replaced by {@code ***}, or
 * nothing when the value is not JSON (a secret could be anywhere in it).
 */
public final class DeadLetterHeaders {

    /** Why the record was refused. */
    public static final String ERROR = "pgfleet_dlq_error";
    /** Where it was read: {@code topic/partition/offset}. */
    public static final String ORIGIN = "pgfleet_dlq_origin";
    /** What became of the value: {@link #REDACTED} or {@link #OMITTED}. */
    public static final String VALUE = "pgfleet_dlq_value";
    /** Which service refused it. */
    public static final String SERVICE = "pgfleet_dlq_service";

    /** {@link #VALUE} of a JSON value: kept, secrets redacted. */
    public static final String REDACTED = "the original with every secret field in clear replaced by ***";
    /** {@link #VALUE} of a value that is not JSON: not kept. */
    public static final String OMITTED = "omitted: it is not JSON, so a secret could be anywhere in it";

    /** The dead-letter topic of a topic. */
    public static String topic(String topic) {
        return topic + ".dlq";
    }

    private DeadLetterHeaders() {
    }
}
