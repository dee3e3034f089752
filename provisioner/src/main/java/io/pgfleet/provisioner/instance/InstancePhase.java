package io.pgfleet.provisioner.instance;

/** Where an instance stands. */
public enum InstancePhase {
    /** A provision, scale or update is under way. */
    PROGRESSING,
    /** Every member is up and every replica streams. */
    READY,
    /** A member is down or not streaming; a repair is under way. */
    DEGRADED,
    /** The last command failed; the reason is in the message. */
    FAILED,
    /** A delete is under way. */
    DELETING
}
