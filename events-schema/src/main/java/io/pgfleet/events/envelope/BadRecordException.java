package io.pgfleet.events.envelope;

/**
 * A record that is not one of our CloudEvents at all (missing or wrong header, unknown type, not
 * JSON). It cannot be answered with a status event; it belongs on the dead-letter topic.
 */
public class BadRecordException extends Exception {

    public BadRecordException(String message) {
        super(message);
    }
}
