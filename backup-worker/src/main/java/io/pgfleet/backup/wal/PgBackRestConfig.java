package io.pgfleet.backup.wal;

import io.pgfleet.clusters.ArchiveLayout;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import io.pgfleet.events.InstanceKey;
import java.util.List;

/**
 * The pgBackRest configuration of one instance's WAL archive and base backups, rendered from where they go and the
 * member they come from (pure: no I/O). The repository is S3 over TLS (the only way pgBackRest talks to S3), encrypted
 * on the client with the instance's backup password ({@code repo1-cipher-type=aes-256-cbc}); WAL is pushed
 * asynchronously, compressed with lz4, two processes at a time. Retention is pgfleet's ({@link WalRetention}):
 * pgBackRest's own counts whole days and is kept from expiring anything by itself.
 *
 * @param stanza         {@code <namespace>-<name>}
 * @param endpoint       {@code https://host[:port]} of the S3 service
 * @param bucket         the bucket
 * @param region         the S3 region
 * @param repoPath       the repository's path in the bucket, e.g. {@code /postgres-backups/_wal/tenant-a/shop}
 * @param caFile         the CA file the endpoint is verified with ({@code null}: the system's)
 * @param members        the members base backups are taken from: the primary first ({@code pg1}), then the standbys that
 *                       run; with one, base backups copy from it ({@code backup-standby})
 * @param workDir        where pgBackRest keeps its logs, locks and the asynchronous archive's spool (the PostgreSQL account's)
 * @param archiveTimeout how long a backup waits for its last WAL segment to be archived
 */
public record PgBackRestConfig(String stanza, String endpoint, String bucket, String region, String repoPath, Path caFile,
                               List<ArchiveLayout.MemberPaths> members, Path workDir, Duration archiveTimeout) {

    /** The stanza of an instance. */
    public static String stanza(InstanceKey instance) {
        return ArchiveLayout.stanza(instance);
    }

    /**
     * The repository's path: under {@code _wal/} in the location's prefix, where no restic repository can be (namespaces
     * and names have no '_').
     */
    public static String repoPath(String prefix, InstanceKey instance) {
        return "/" + (prefix.isEmpty() ? "" : prefix + "/") + "_wal/" + instance.namespace() + "/" + instance.name();
    }

    /** The options, in the order written ({@code [global]} then the stanza's). */
    public Map<String, String> options(String accessKey, String secretKey, String cipherPass) {
        URI uri = URI.create(endpoint);
        Map<String, String> options = new LinkedHashMap<>();
        options.put("repo1-type", "s3");
        // pgBackRest 2.45 matches only DNS names of a certificate, never an IP address: loopback is reached as localhost.
        options.put("repo1-s3-endpoint", "127.0.0.1".equals(uri.getHost()) ? "localhost" : uri.getHost());
        if (uri.getPort() > 0) {
            options.put("repo1-storage-port", Integer.toString(uri.getPort()));
        }
        options.put("repo1-s3-bucket", bucket);
        options.put("repo1-s3-region", region);
        options.put("repo1-s3-uri-style", "path");
        options.put("repo1-s3-key", accessKey);
        options.put("repo1-s3-key-secret", secretKey);
        if (caFile != null) {
            options.put("repo1-storage-ca-file", caFile.toString());
        }
        options.put("repo1-path", repoPath);
        options.put("repo1-cipher-type", "aes-256-cbc");
        options.put("repo1-cipher-pass", cipherPass);
        options.put("log-path", workDir.resolve("log").toString());
        options.put("lock-path", workDir.resolve("lock").toString());
        options.put("spool-path", workDir.resolve("spool").toString());
        options.put("log-level-file", "info");
        options.put("archive-async", "y");
        options.put("archive-timeout", Long.toString(Math.max(1, archiveTimeout.toSeconds())));
        options.put("compress-type", "lz4");
        options.put("process-max", "2");
        options.put("start-fast", "y");
        options.put("delta", "y");
        // pgBackRest never expires by itself (it counts time in whole days): WalRetention chooses to the second what goes.
        options.put("repo1-retention-full-type", "count");
        options.put("repo1-retention-full", "9999999");
        if (members.size() > 1) {
            options.put("backup-standby", "y");
        }
        return options;
    }

    /**
     * A value as one line of the file, or an {@link IllegalArgumentException} naming the option (never the value): a
     * newline or any other control character would start an option of someone else's choosing.
     */
    private static String line(String name, String value) {
        if (value.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR)) {
            throw new IllegalArgumentException("the value of " + name + " holds a control character; pgbackrest.conf is not written");
        }
        return value;
    }

    /** The file's text. It holds the S3 keys and the cipher password: written 0600 for the PostgreSQL account only. */
    public String render(String accessKey, String secretKey, String cipherPass) {
        StringBuilder text = new StringBuilder("# Written by pgfleet's backup-worker; changes are overwritten.\n[global]\n");
        options(accessKey, secretKey, cipherPass).forEach((name, value) -> text.append(name).append('=').append(line(name, value)).append('\n'));
        text.append('\n').append('[').append(stanza).append("]\n");
        for (int i = 0; i < members.size(); i++) {
            ArchiveLayout.MemberPaths member = members.get(i);
            String pg = "pg" + (i + 1) + "-";
            text.append(pg).append("path=").append(member.dataDir()).append('\n')
                    .append(pg).append("port=").append(member.port()).append('\n')
                    .append(pg).append("socket-path=").append(member.socketDir()).append('\n')
                    .append(pg).append("user=postgres\n");
        }
        return text.toString();
    }
}
