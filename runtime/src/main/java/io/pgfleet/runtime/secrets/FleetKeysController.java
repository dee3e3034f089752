package io.pgfleet.runtime.secrets;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** The fleet's public keys as a JWK set: what publishers seal secret fields with. Every service serves it. */
@Controller("/fleet")
public class FleetKeysController {

    private final FleetKeys keys;

    public FleetKeysController(FleetKeys keys) {
        this.keys = keys;
    }

    @Get(value = "/keys", produces = MediaType.APPLICATION_JSON)
    public String keys() {
        return "{\"keys\":[" + String.join(",", keys.published().stream().map(FleetKey::publicJwk).toList()) + "]}";
    }
}
