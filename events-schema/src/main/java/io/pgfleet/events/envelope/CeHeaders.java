package io.pgfleet.events.envelope;

/** Kafka header names of CloudEvents 1.0 in binary mode (Kafka protocol binding). */
public final class CeHeaders {
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
