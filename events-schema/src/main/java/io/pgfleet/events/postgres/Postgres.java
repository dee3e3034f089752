package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;

/**
 * A {@code Postgres} document ({@code apps.cozystack.io/v1alpha1}): the whole desired state of one
 * instance. It is the payload of the provision command; re-publishing a changed document is an update.
 *
 * @param apiVersion always {@value #API_VERSION}
 * @param kind       always {@value #KIND}
 * @param metadata   the instance's name and optional namespace
 * @param spec       the desired state
 */
@Doc("A Postgres document: the whole desired state of one instance.")
public record Postgres(
        @Doc(value = "Always `apps.cozystack.io/v1alpha1`.", required = true, values = Postgres.API_VERSION, valuesName = "ApiVersion")
        String apiVersion,
        @Doc(value = "Always `Postgres`.", required = true, values = Postgres.KIND, valuesName = "Kind") String kind,
        @Doc(value = "The instance's name and optional namespace.", required = true) Metadata metadata,
        @Doc(value = "The desired state of the instance.", required = true) PostgresSpec spec) {

    /** The only apiVersion this document has. */
    public static final String API_VERSION = "apps.cozystack.io/v1alpha1";
    /** The only kind this document has. */
    public static final String KIND = "Postgres";

    /** A document with the fixed apiVersion and kind. */
    public static Postgres of(String name, String namespace, PostgresSpec spec) {
        return new Postgres(API_VERSION, KIND, new Metadata(name, namespace), spec);
    }
}
