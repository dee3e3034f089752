package io.pgfleet.events.command;

/** A command payload that names the instance it acts on. */
public interface InstanceCommand {

    /** The instance name. */
    String instance();

    /** The namespace, or {@code null} for the configured default. */
    String namespace();
}
