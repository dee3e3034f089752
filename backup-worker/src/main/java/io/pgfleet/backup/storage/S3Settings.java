package io.pgfleet.backup.storage;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.pgfleet.backup.restic.ResticCredentials;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where repositories and WAL archives go, and the fleet's default credentials; the keys are described with
 * {@link BackupSettings} and {@code wal.WalArchive}.
 *
 * @param endpoint            the S3 endpoint for buckets that name none
 * @param endpointOverride    the endpoint every repository goes to whatever its bucket names (blank: none)
 * @param defaults            the fleet's default credentials (all three keys set), if any
 * @param walEndpointOverride the endpoint every WAL archive goes to (blank: as the repositories)
 * @param caFile              the CA S3 endpoints' certificates are verified with (none: the system's)
 */
public record S3Settings(String endpoint, String endpointOverride, Optional<ResticCredentials> defaults, String walEndpointOverride,
                         Optional<Path> caFile) {

    /** The settings from the configuration. */
    @Factory
    static class FromConfiguration {

        @Singleton
        S3Settings s3Settings(@Value("${pgfleet.backup.s3-endpoint:`https://s3.amazonaws.com`}") String endpoint,
                              @Value("${pgfleet.backup.s3-endpoint-override:}") String endpointOverride,
                              @Value("${pgfleet.backup.default-credentials.s3-access-key:}") String accessKey,
                              @Value("${pgfleet.backup.default-credentials.s3-secret-key:}") String secretKey,
                              @Value("${pgfleet.backup.default-credentials.restic-password:}") String password,
                              @Value("${pgfleet.backup.wal-s3-endpoint-override:}") String walEndpointOverride,
                              @Value("${pgfleet.backup.s3-ca-file:}") String caFile) {
            Optional<ResticCredentials> defaults = accessKey.isEmpty() || secretKey.isEmpty() || password.isEmpty() ? Optional.empty()
                    : Optional.of(new ResticCredentials(accessKey, secretKey, password));
            return new S3Settings(endpoint, endpointOverride, defaults, walEndpointOverride,
                    caFile.isBlank() ? Optional.empty() : Optional.of(Path.of(caFile)));
        }
    }
}
