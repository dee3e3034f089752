package io.pgfleet.cli;

import io.pgfleet.runtime.secrets.FleetKey;
import io.pgfleet.servers.EmbeddedKafkaBroker;
import io.pgfleet.servers.KafkaBroker;
import io.pgfleet.servers.PostgresServer;
import io.pgfleet.servers.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.pgfleet.host.OsUser;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * Everything pgfleet needs on one machine, on loopback: an embedded Kafka broker, a PostgreSQL for
 * the services' state, an S3 server, and the three services as processes of their own with the
 * local driver. All data lives under one directory, so stopping and starting again resumes.
 */
final class LocalStack implements AutoCloseable {

    /** The namespace the stack's services give commands that name none. */
    static final String NAMESPACE = "default";

    /** The services: name, module, main class, HTTP port offset. */
    private record Service(String name, String module, String mainClass, int port) {
    }

    /** The ports: Kafka, its controller, state PostgreSQL, S3, then the three services, then S3 over HTTPS. */
    record Ports(int kafka, int controller, int state, int s3, int provisioner, int userManager, int backupWorker, int s3Tls) {

        static Ports from(int base) {
            return new Ports(base, base + 1, base + 2, base + 3, base + 4, base + 5, base + 6, base + 7);
        }
    }

    private final Path home;
    private final Path dataDir;
    private final Ports ports;
    private final PrintWriter out;
    /** Starts the broker on its storage and ports: by default inside this JVM. */
    interface Broker {
        KafkaBroker start(Path storage, int port, int controllerPort);
    }

    private Broker broker = (storage, port, controllerPort) -> EmbeddedKafkaBroker.start(storage, port, controllerPort, false);
    private KafkaBroker kafka;
    private PostgresServer state;
    private S3Server s3;
    private final Map<String, Process> services = new LinkedHashMap<>();
    private boolean secure;

    LocalStack(Path home, Path dataDir, Ports ports, PrintWriter out) {
        this.home = home;
        this.dataDir = dataDir;
        this.ports = ports;
        this.out = out;
    }

    private List<Service> serviceList() {
        return List.of(new Service("provisioner", "provisioner", "io.pgfleet.provisioner.Application", ports.provisioner()),
                new Service("user-manager", "user-manager", "io.pgfleet.usermanager.Application", ports.userManager()),
                new Service("backup-worker", "backup-worker", "io.pgfleet.backup.Application", ports.backupWorker()));
    }

    /** Another way to run the (plain) broker, e.g. as a process of its own that a drill can kill; before {@link #start}. */
    LocalStack broker(Broker starter) {
        this.broker = starter;
        return this;
    }

    /** Kafka only over SASL_SSL ({@link SecureKafka}); before {@link #start}. */
    LocalStack secure() {
        this.secure = true;
        return this;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + ports.kafka();
    }

    String url(String service) {
        return "http://127.0.0.1:" + serviceList().stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow().port();
    }

    /**
     * As root, PostgreSQL runs as an unprivileged account, which must reach the data directory: every directory above it
     * must let others through (a home directory such as /root, mode 0700, does not).
     */
    static void requireReachable(Path dataDir) throws IOException {
        if (!OsUser.isRoot()) {
            return;
        }
        for (Path dir = dataDir.toAbsolutePath().normalize().getParent(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir) && !Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IllegalStateException(dir + " does not let other accounts through (mode "
                        + PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))
                        + "), and PostgreSQL runs as nobody when pgfleet runs as root: give a --data-dir it can reach, e.g. /var/lib/pgfleet "
                        + "(the default for root)");
            }
        }
    }

    /** Starts everything and waits until every service reports healthy. */
    void start(Duration timeout) throws Exception {
        for (int port : List.of(ports.kafka(), ports.controller(), ports.state(), ports.s3(), ports.provisioner(), ports.userManager(),
                ports.backupWorker(), ports.s3Tls())) {
            requireFree(port);
        }
        requireReachable(dataDir);
        Files.createDirectories(dataDir.resolve("logs"));
        Path clusters = dataDir.resolve("clusters");
        Files.createDirectories(clusters);
        clusters.toFile().setExecutable(true, false); // PostgreSQL (another account) must traverse it
        dataDir.toFile().setExecutable(true, false);

        out.println("data directory  " + dataDir);
        out.flush();
        startBroker();
        out.println("kafka           " + bootstrapServers() + (secure ? " (embedded KRaft broker, SASL_SSL only: SCRAM-SHA-512 over TLS; "
                + "client settings " + SecureKafka.clientConfig(dataDir) + ")" : " (embedded KRaft broker)"));
        out.flush();
        startState();
        out.println("state postgres  " + state.jdbcUrl("pgfleet"));
        out.flush();
        s3 = S3Server.startOpen(dataDir.resolve("s3"), ports.s3(), ports.s3Tls());
        out.println("s3              " + s3.endpoint() + " and " + s3.secureEndpoint() + " (CA " + s3.caCertificate()
                + "; every backup endpoint is served here)");
        FleetKey fleetKey = LocalSecrets.fleetKey(dataDir);
        out.println("fleet key       " + dataDir.resolve(FleetKeyLookup.FILE) + " (id " + fleetKey.id() + "; secrets are sealed with it)");
        LocalSecrets.writeHttpToken(dataDir);
        out.println("http token      " + dataDir.resolve(LocalSecrets.HTTP_TOKEN) + " (the platform's bearer token for the services' views)");
        out.flush();

        serviceNames().forEach(this::launch);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Service service : serviceList()) {
            awaitHealthy(service, deadline);
            out.println(String.format("%-15s http://127.0.0.1:%d (log: %s)", service.name(), service.port(), log(service)));
            out.flush();
        }
    }

    /**
     * Starts the broker on its storage and ports (also after it was closed: an outage's end). With {@link #secure}, SASL_SSL
     * only; otherwise as {@link #broker} says, by default inside this JVM.
     */
    void startBroker() throws IOException {
        kafka = secure ? SecureKafka.start(dataDir, ports.kafka(), ports.controller())
                : broker.start(dataDir.resolve("kafka"), ports.kafka(), ports.controller());
    }

    /** Starts the services' state PostgreSQL on its kept data (also after it was closed), with the database {@code pgfleet}. */
    void startState() throws SQLException {
        state = PostgresServer.startKept(dataDir.resolve("state"), ports.state());
        try (Connection c = state.connect("postgres"); Statement sql = c.createStatement();
             ResultSet exists = sql.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'pgfleet'")) {
            if (!exists.next()) {
                sql.execute("CREATE DATABASE pgfleet");
            }
        }
    }

    /** Starts a service as a process of its own (also after it ended); {@link #awaitHealthy} waits until it reports healthy. */
    void launch(String name) {
        Process running = services.get(name);
        if (running != null && running.isAlive()) {
            throw new IllegalStateException(name + " is still running (pid " + running.pid() + ")");
        }
        Service service = serviceList().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        try {
            services.put(name, launch(service, dataDir.resolve("clusters")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Waits until a service reports healthy, or fails saying what its log shows. */
    void awaitHealthy(String name, Duration timeout) {
        Service service = serviceList().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        awaitHealthy(service, System.nanoTime() + timeout.toNanos());
    }

    /** The services' names, in the order they start. */
    List<String> serviceNames() {
        return serviceList().stream().map(Service::name).toList();
    }

    /** The process of a service, as last started. */
    Process process(String name) {
        return services.get(name);
    }

    /** The PostgreSQL that holds the services' state (database {@code pgfleet}). */
    PostgresServer state() {
        return state;
    }

    KafkaBroker kafka() {
        return kafka;
    }

    String s3Endpoint() {
        return s3.endpoint();
    }

    private Process launch(Service service, Path clusters) throws IOException {
        Path moduleDir = home.resolve(service.module()).resolve("target");
        Path classpathFile = moduleDir.resolve("classpath.txt");
        if (!Files.exists(classpathFile)) {
            throw new IllegalStateException(service.name() + " is not built (" + classpathFile + " is missing): run mvn package -DskipTests in "
                    + home);
        }
        List<String> argv = new ArrayList<>(ServiceJvm.command(moduleDir, service.name()));
        // Static group membership: a service started again after a crash takes its partitions back at once,
        // instead of waiting for the broker to time out the dead consumer's session.
        argv.addAll(List.of("-Dkafka.consumers.default.group.instance.id=local-" + service.name(), service.mainClass()));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                log(service).toFile()));
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
        env.put("PGFLEET_DB_URL", state.jdbcUrl("pgfleet"));
        env.put("PGFLEET_DB_USER", PostgresServer.SUPERUSER);
        env.put("PGFLEET_DB_PASSWORD", state.password());
        env.put("PGFLEET_HTTP_PORT", Integer.toString(service.port()));
        env.put("PGFLEET_DRIVER", "local");
        env.put("PGFLEET_DEFAULT_NAMESPACE", NAMESPACE);
        env.put("PGFLEET_LOCAL_DATA_ROOT", clusters.toString());
        env.put("PGFLEET_JOBS_INSTANCE_ID", "local-" + service.name());
        env.put("PGFLEET_BACKUP_S3_ENDPOINT_OVERRIDE", s3.endpoint());
        // Documents may name any host name, and this stack's own S3 server.
        env.put("PGFLEET_BACKUP_ALLOWED_ENDPOINTS", "*," + URI.create(s3.endpoint()).getAuthority());
        env.put("PGFLEET_BACKUP_TICK", "5s");
        env.put("PGFLEET_BACKUP_METRICS_INTERVAL", "5s");
        env.put("PGFLEET_PROVISIONER_METRICS_INTERVAL", "5s");
        env.put("PGFLEET_SECRETS_KEY_FILE", dataDir.resolve("fleet-key.pem").toString());
        env.put("PGFLEET_HTTP_TOKEN_SECRET", LocalSecrets.httpTokenSecret(dataDir));
        if (secure) {
            env.put("MICRONAUT_CONFIG_FILES", SecureKafka.serviceConfig(dataDir, service.name()).toString());
        }
        env.put("PGFLEET_BACKUP_WORK_DIR", dataDir.resolve("backup-work").toString());
        if (service.name().equals("backup-worker")) {
            // So that a document enabling backups without its own credentials (the reference's HA example) backs up:
            // the stack's S3 server takes any key; the repository password is the stack's own.
            env.put("PGFLEET_BACKUP_DEFAULT_CREDENTIALS_S3_ACCESS_KEY", "pgfleet-local");
            env.put("PGFLEET_BACKUP_DEFAULT_CREDENTIALS_S3_SECRET_KEY", "pgfleet-local");
            env.put("PGFLEET_BACKUP_DEFAULT_CREDENTIALS_RESTIC_PASSWORD", LocalSecrets.defaultResticPassword(dataDir));
            // pgBackRest talks to S3 only over TLS: the WAL archives go to the S3 server's TLS port, verified with its CA.
            env.put("PGFLEET_BACKUP_WAL_S3_ENDPOINT_OVERRIDE", s3.secureEndpoint());
            env.put("PGFLEET_BACKUP_S3_CA_FILE", s3.caCertificate().toString());
        }
        return builder.start();
    }

    private Path log(Service service) {
        return dataDir.resolve("logs").resolve(service.name() + ".log");
    }

    private void awaitHealthy(Service service, long deadline) {
        ServiceHealth.await(service.name(), services.get(service.name()), service.port(), log(service), deadline);
    }

    private static void requireFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " on 127.0.0.1 is taken (is pgfleet up already running? choose others with "
                    + "--base-port)");
        }
    }

    /** Stops the services, the instances they run, then the servers. */
    @Override
    public void close() {
        List<Process> running = new ArrayList<>(services.values());
        running.forEach(Process::destroy);
        for (Process process : running) {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        InstanceProcesses.stop(dataDir.resolve("clusters"));
        if (s3 != null) {
            s3.close();
        }
        if (state != null) {
            state.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
