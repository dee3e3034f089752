package io.pgfleet.events;

import java.net.URI;

/**
 * The versioned URIs of the contract's JSON Schemas: each schema's {@code $id}, and the CloudEvents {@code dataschema}
 * of the records that carry its payload.
 */
public final class SchemaIds {

    public static final String BASE_ID = "https://pgfleet.io/schemas/";

    private SchemaIds() {
    }

    /** {@code https://pgfleet.io/schemas/<version>/<file>}. */
    public static URI id(String version, String fileName) {
        return URI.create(BASE_ID + version + "/" + fileName);
    }
}
