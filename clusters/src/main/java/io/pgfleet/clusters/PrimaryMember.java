package io.pgfleet.clusters;

/** The member that is the primary once a step is done (a {@link io.pgfleet.runtime.job.Step} fact). */
public record PrimaryMember(String name) {
}
