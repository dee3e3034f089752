package io.pgfleet.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import java.io.IOException;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The connection string of an instance's primary for one of its users. */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = "Print the connection string (postgresql://user@host:port,.../database) of an instance's primary: every member "
                + "with target_session_attrs=read-write, so it reaches the primary after a failover too.")
final class ConnectCli implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Option(names = {"-u", "--user"}, description = "The user (default: the first user of the instance).")
    String user;

    @Option(names = {"-d", "--database"}, description = "The database (default: the first database the user has a role in).")
    String database;

    @Option(names = "--with-password", description = "Make the string log in with the user's password, read from the local stack's "
            + "credential file (local driver only): written to a password file of the user's (0600) that the string names "
            + "(passfile=), never into the string itself.")
    boolean withPassword;

    @Option(names = "--pooler", arity = "0..1", fallbackValue = "rw", paramLabel = "rw|ro",
            description = "Through the instance's connection pooler (spec.pooler): its read-write pool, which leads to the primary "
                    + "across failovers and switchovers (rw, the default), or its read-only pool to a standby (ro).")
    String pooler;

    @Option(names = "--data-dir", defaultValue = "${env:PGFLEET_DATA_DIR:-${sys:pgfleet.default-data-dir:-${sys:user.home}/.pgfleet}}",
            description = "The local stack's data directory (default: $PGFLEET_DATA_DIR, else ~/.pgfleet, or /var/lib/pgfleet as root).")
    Path dataDir;

    @Mixin
    ServiceUrls urls;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        InstanceKey key = urls.instance(name);
        String path = ServiceUrls.path(key);
        JsonNode cluster = urls.view(urls.provisioner, path);
        if (cluster == null) {
            throw new IllegalArgumentException("the provisioner does not know instance " + key);
        }
        JsonNode primary = null;
        for (JsonNode member : cluster.path("observed").path("members")) {
            if ("primary".equals(member.path("role").asText())) {
                primary = member;
            }
        }
        if (primary == null) {
            throw new IllegalStateException("instance " + key + " has no running primary (" + cluster.path("message").asText() + ")");
        }
        JsonNode access = urls.view(urls.userManager, path);
        String chosenUser = user;
        if (chosenUser == null) {
            var users = access == null ? null : access.path("desired").path("users");
            if (users == null || !users.fieldNames().hasNext()) {
                throw new IllegalArgumentException("instance " + key + " has no users; name one with --user");
            }
            chosenUser = users.fieldNames().next();
        }
        String chosenDatabase = database == null ? databaseOf(access, chosenUser) : database;
        Path passfile = null;
        if (withPassword) {
            Path file = dataDir.resolve("clusters").resolve("credentials").resolve(key.namespace()).resolve(key.name() + "-credentials.json");
            if (!Files.exists(file)) {
                throw new IllegalStateException("no credential file " + file + " (--with-password works with the local stack only)");
            }
            Map<String, String> passwords = Json.mapper().readValue(file.toFile(), new TypeReference<Map<String, String>>() {
            });
            if (!passwords.containsKey(chosenUser)) {
                throw new IllegalArgumentException("no password is stored for user " + chosenUser);
            }
            passfile = passfile(key, chosenUser, passwords.get(chosenUser));
        }
        PrintWriter out = spec.commandLine().getOut();
        String tls = tlsParameters(key, cluster.path("tls"));
        // Every member, with target_session_attrs=read-write: libpq tries them in turn and keeps the primary, after a failover too.
        String hosts = cluster.path("primaryHosts").asText("");
        String parameters = hosts.contains(",") ? "target_session_attrs=read-write" : "";
        if (hosts.isEmpty()) {
            hosts = primary.path("host").asText() + ":" + primary.path("port").asText();
        }
        if (pooler != null) {
            hosts = poolerAddress(key, cluster);
            parameters = "";
        }
        if (passfile != null) {
            parameters = (parameters.isEmpty() ? "" : parameters + "&") + "passfile=" + URLEncoder.encode(passfile.toString(), StandardCharsets.UTF_8);
        }
        String query = tls.isEmpty() ? parameters : tls.substring(1) + (parameters.isEmpty() ? "" : "&" + parameters);
        out.println("postgresql://" + URLEncoder.encode(chosenUser, StandardCharsets.UTF_8) + "@" + hosts + "/"
                + URLEncoder.encode(chosenDatabase, StandardCharsets.UTF_8) + (query.isEmpty() ? "" : "?" + query));
        out.flush();
        return 0;
    }

    /**
     * The user's password in a libpq password file of its own ({@code <data-dir>/passfiles/<namespace>/<name>/<user>}),
     * created 0600 in the call that creates it and named by the string's {@code passfile}: the password never becomes a
     * word of psql's command line, which every local account can read in {@code /proc}.
     */
    private Path passfile(InstanceKey key, String user, String password) throws IOException {
        Path dir = dataDir.resolve("passfiles").resolve(key.namespace()).resolve(key.name());
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path temporary = Files.createTempFile(dir, user + ".", ".tmp", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, "*:*:*:" + passfileField(user) + ":" + passfileField(password) + "\n", StandardCharsets.UTF_8);
        Path file = dir.resolve(user);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** A field of a password file: '\\' and ':' escaped with a backslash. */
    static String passfileField(String value) {
        return value.replace("\\", "\\\\").replace(":", "\\:");
    }

    /**
     * The part of the string that makes libpq verify the server: the local stack's CA file when this machine has it, the
     * CA the provisioner serves (saved under {@code <data-dir>/ca/}), or, for CloudNativePG, a file named after the CA
     * Secret, with the command that fills it (said on stderr).
     */
    private String tlsParameters(InstanceKey key, JsonNode tls) throws IOException {
        if (!tls.hasNonNull("sslmode")) {
            return "";
        }
        Path ca = dataDir.resolve("clusters").resolve("tls").resolve("ca.crt");
        if (!Files.exists(ca) && tls.hasNonNull("caCertificate")) {
            if (!ServiceUrls.untampered(urls.provisioner)) {
                // a CA taken in clear from another machine could be anyone's: psql would then trust whoever answers
                throw new IllegalStateException("the instance's CA is not taken over plain HTTP from " + URI.create(urls.provisioner).getHost()
                        + ": give the provisioner's https:// address, or save the CA yourself and name it with sslrootcert");
            }
            ca = dataDir.resolve("ca").resolve(key.namespace() + "." + key.name() + ".crt");
            Files.createDirectories(ca.getParent());
            Files.writeString(ca, tls.path("caCertificate").asText());
        } else if (tls.hasNonNull("caSecret")) {
            String secret = tls.path("caSecret").asText();
            ca = Path.of(secret + ".crt");   // relative: where the user runs psql
            spec.commandLine().getErr().println("the CA is in Secret " + key.namespace() + "/" + secret + "; save it beside you with: kubectl -n "
                    + key.namespace() + " get secret " + secret + " -o jsonpath='{.data.ca\\.crt}' | base64 -d > " + ca);
            spec.commandLine().getErr().flush();
        }
        return "?sslmode=" + tls.path("sslmode").asText() + "&sslrootcert=" + URLEncoder.encode((ca.isAbsolute() || tls.hasNonNull("caSecret") ? ca : ca.toAbsolutePath()).toString(), StandardCharsets.UTF_8);
    }

    /** The {@code host:port} of the pool {@link #pooler} names, as the provisioner observed it. */
    private String poolerAddress(InstanceKey key, JsonNode cluster) {
        if (!pooler.equals("rw") && !pooler.equals("ro")) {
            throw new IllegalArgumentException("--pooler is rw or ro, got '" + pooler + "'");
        }
        for (JsonNode pool : cluster.path("observed").path("poolers")) {
            if (pooler.equals(pool.path("pool").asText())) {
                return pool.path("host").asText() + ":" + pool.path("port").asText();
            }
        }
        throw new IllegalStateException("instance " + key + " has no " + pooler + " pooler" + (pooler.equals("ro")
                ? " (spec.pooler.enabled and spec.pooler.readOnly)" : " (spec.pooler.enabled)"));
    }

    private static String databaseOf(JsonNode access, String user) {
        if (access != null) {
            var databases = access.path("desired").path("databases");
            for (var it = databases.fields(); it.hasNext(); ) {
                var database = it.next();
                for (JsonNode members : database.getValue().path("members")) {
                    for (JsonNode member : members) {
                        if (user.equals(member.asText())) {
                            return database.getKey();
                        }
                    }
                }
            }
        }
        return "postgres";
    }
}
