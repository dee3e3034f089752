package io.pgfleet.cli;

/** What the CLI talks to — Kafka, a service's HTTP views — did not answer: exit {@link Outcome#UNREACHABLE}. */
final class Unreachable extends IllegalStateException {

    Unreachable(String message, Throwable cause) {
        super(message, cause);
    }
}
