package io.pgfleet.events.json;

/** The bytes are not JSON at all (as opposed to JSON that breaks the payload's rules). */
public class MalformedPayloadException extends Exception {

    public MalformedPayloadException(String message) {
        super(message);
    }
}
