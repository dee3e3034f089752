package io.pgfleet.events.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.Parsed;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad documents and bad command payloads: each is refused with the expected path and rule, and
 * none is accepted. (Bad records, those that are not CloudEvents at all, are in CloudEventCodecTest.)
 */
class BadInputTableTest {

    private static final CommandValidator VALIDATOR = new CommandValidator(ValidationPolicy.defaults());
    private static final String HEAD = "apiVersion: apps.cozystack.io/v1alpha1\nkind: Postgres\nmetadata:\n  name: bad-example\n";

    /** A document with this spec (YAML, indented by the caller as under {@code spec:}). */
    private static String spec(String yaml) {
        return HEAD + "spec:\n" + yaml.indent(2);
    }

    static Stream<Arguments> badDocuments() {
        return Stream.of(
                bad("typo in a field name", spec("replcias: 3"), "spec.replcias", "unknown field"),
                bad("typo at the top", HEAD.replace("metadata", "metdata") + "spec: {}", "metdata", "unknown field"),
                bad("no metadata", "apiVersion: apps.cozystack.io/v1alpha1\nkind: Postgres\nspec: {}", "metadata", "is required"),
                bad("no spec", HEAD, "spec", "is required"),
                bad("no name", "apiVersion: apps.cozystack.io/v1alpha1\nkind: Postgres\nmetadata: {}\nspec: {}", "metadata.name", "is required"),
                bad("wrong apiVersion", HEAD.replace("v1alpha1", "v1") + "spec: {}", "apiVersion", "must be 'apps.cozystack.io/v1alpha1'"),
                bad("wrong kind", HEAD.replace("kind: Postgres", "kind: MySQL") + "spec: {}", "kind", "must be 'Postgres'"),
                bad("upper-case name", HEAD.replace("bad-example", "Bad_Example") + "spec: {}", "metadata.name", "not a valid instance name"),
                bad("name starting with a digit", HEAD.replace("bad-example", "1db") + "spec: {}", "metadata.name", "starting with a letter"),
                bad("name too long", HEAD.replace("bad-example", "a".repeat(51)) + "spec: {}", "metadata.name", "at most 50 characters"),
                bad("bad namespace", HEAD + "  namespace: Tenant_A\nspec: {}", "metadata.namespace", "not a valid namespace"),
                bad("zero replicas", spec("replicas: 0"), "spec.replicas", "must be at least 1"),
                bad("replicas as a string", spec("replicas: \"3\""), "spec.replicas", "must be an integer"),
                bad("fractional replicas", spec("replicas: 2.5"), "spec.replicas", "must be an integer"),
                bad("size with a unit Kubernetes does not know", spec("size: 10GB"), "spec.size", "not a Kubernetes quantity"),
                bad("zero size", spec("size: 0Gi"), "spec.size", "greater than zero"),
                bad("size as a number", spec("size: 10"), "spec.size", "must be a string"),
                bad("external as a string", spec("external: \"true\""), "spec.external", "must be a boolean"),
                bad("bad storage class", spec("storageClass: Fast_SSD"), "spec.storageClass", "not a valid storage class"),
                bad("maxSyncReplicas not below replicas", spec("replicas: 3\nquorum:\n  minSyncReplicas: 1\n  maxSyncReplicas: 3"),
                        "spec.quorum.maxSyncReplicas", "must be lower than replicas (3)"),
                bad("maxSyncReplicas against the default replicas", spec("quorum:\n  maxSyncReplicas: 2"),
                        "spec.quorum.maxSyncReplicas", "must be lower than replicas (2)"),
                bad("min above max", spec("replicas: 5\nquorum:\n  minSyncReplicas: 3\n  maxSyncReplicas: 2"),
                        "spec.quorum.minSyncReplicas", "must not be greater than maxSyncReplicas (2)"),
                bad("negative min", spec("replicas: 3\nquorum:\n  minSyncReplicas: -1\n  maxSyncReplicas: 1"),
                        "spec.quorum.minSyncReplicas", "must be 0 or more"),
                bad("managed parameter port", spec("postgresql:\n  parameters:\n    port: 5433"),
                        "spec.postgresql.parameters.port", "managed by the cluster"),
                bad("managed parameter listen_addresses", spec("postgresql:\n  parameters:\n    listen_addresses: \"*\""),
                        "spec.postgresql.parameters.listen_addresses", "managed by the cluster"),
                bad("managed parameter archive_command", spec("postgresql:\n  parameters:\n    archive_command: \"cp %p /tmp\""),
                        "spec.postgresql.parameters.archive_command", "managed by the cluster"),
                bad("managed parameter shared_preload_libraries", spec("postgresql:\n  parameters:\n    shared_preload_libraries: auto_explain"),
                        "spec.postgresql.parameters.shared_preload_libraries", "managed by the cluster"),
                bad("managed parameter ssl_cert_file", spec("postgresql:\n  parameters:\n    ssl_cert_file: /etc/cert"),
                        "spec.postgresql.parameters.ssl_cert_file", "managed by the cluster"),
                bad("bad parameter name", spec("postgresql:\n  parameters:\n    Max-Connections: 10"),
                        "spec.postgresql.parameters.Max-Connections", "not a valid setting name"),
                bad("parameter value that is an object", spec("postgresql:\n  parameters:\n    work_mem:\n      value: 4MB"),
                        "spec.postgresql.parameters.work_mem", "must be a string, a number or a boolean"),
                bad("parameter value with a line break", spec("postgresql:\n  parameters:\n    work_mem: \"4MB\\nport = 1\""),
                        "spec.postgresql.parameters.work_mem", "control characters"),
                bad("wal_level too low for replicas", spec("postgresql:\n  parameters:\n    wal_level: minimal"),
                        "spec.postgresql.parameters.wal_level", "must be 'replica' or 'logical'"),
                bad("user name that tries to break out", spec("users:\n  'a\"; DROP TABLE x; --':\n    password: p"),
                        "spec.users[\"a\\\"; DROP TABLE x; --\"]", "not a valid name"),
                bad("user name postgres", spec("users:\n  postgres: {}"), "spec.users.postgres", "is reserved"),
                bad("user name streaming_replica", spec("users:\n  streaming_replica: {}"), "spec.users.streaming_replica", "is reserved"),
                bad("user name pg_*", spec("users:\n  pg_admin: {}"), "spec.users.pg_admin", "belong to PostgreSQL"),
                bad("user name of 64 bytes", spec("users:\n  " + "u".repeat(64) + ": {}"), "spec.users." + "u".repeat(64), "at most 63 bytes"),
                bad("user name with unicode", spec("users:\n  utilisateur_é: {}"), "spec.users[\"utilisateur_é\"]", "not a valid name"),
                bad("user name with upper case", spec("users:\n  Admin: {}"), "spec.users.Admin", "not a valid name"),
                bad("empty password", spec("users:\n  bob:\n    password: \"\""), "spec.users.bob.password", "must not be empty"),
                bad("replication as a string", spec("users:\n  bob:\n    replication: \"yes\""), "spec.users.bob.replication", "must be a boolean"),
                bad("typo in a user field", spec("users:\n  bob:\n    passwd: x"), "spec.users.bob.passwd", "unknown field"),
                bad("users as a list", spec("users:\n  - bob"), "spec.users", "must be an object"),
                bad("database name of 53 bytes", spec("databases:\n  " + "d".repeat(53) + ": {}"), "spec.databases." + "d".repeat(53), "at most 52 bytes"),
                bad("database template1", spec("databases:\n  template1: {}"), "spec.databases.template1", "is reserved"),
                bad("role member not declared", spec("databases:\n  app:\n    roles:\n      admin: [ghost]"),
                        "spec.databases.app.roles.admin[0]", "not a user declared in spec.users"),
                bad("unknown access level", spec("users:\n  bob: {}\ndatabases:\n  app:\n    roles:\n      owner: [bob]"),
                        "spec.databases.app.roles.owner", "unknown field"),
                bad("member listed twice", spec("users:\n  bob: {}\ndatabases:\n  app:\n    roles:\n      readonly: [bob, bob]"),
                        "spec.databases.app.roles.readonly[1]", "listed twice"),
                bad("extension outside the allowlist", spec("databases:\n  app:\n    extensions: [plpython3u]"),
                        "spec.databases.app.extensions[0]", "not an allowed extension"),
                bad("extension listed twice", spec("databases:\n  app:\n    extensions: [hstore, hstore]"),
                        "spec.databases.app.extensions[1]", "listed twice"),
                bad("user named like a group role", spec("users:\n  app_admin: {}\ndatabases:\n  app: {}"),
                        "spec.users.app_admin", "group role of database 'app'"),
                bad("backup enabled without a bucket", spec("backup:\n  enabled: true"), "spec.backup.s3Bucket", "is required when backups are enabled"),
                bad("schedule with four fields", spec("backup:\n  schedule: \"0 2 * *\""), "spec.backup.schedule", "not a 5-field cron"),
                bad("schedule with minute 61", spec("backup:\n  schedule: \"61 * * * *\""), "spec.backup.schedule", "minute field"),
                bad("schedule that never fires", spec("backup:\n  schedule: \"0 0 31 2 *\""), "spec.backup.schedule", "never fires"),
                bad("schedule with a macro", spec("backup:\n  schedule: \"@daily\""), "spec.backup.schedule", "not a 5-field cron"),
                bad("drill schedule in words", spec("backup:\n  verifySchedule: \"every sunday\""), "spec.backup.verifySchedule", "not a 5-field cron"),
                bad("drill schedule that never fires", spec("backup:\n  verifySchedule: \"0 0 30 2 *\""), "spec.backup.verifySchedule", "never fires"),
                bad("cleanup with a shell command", spec("backup:\n  cleanupStrategy: \"--keep-last=3; rm -rf /\""),
                        "spec.backup.cleanupStrategy", "'rm' is not an allowed restic forget flag"),
                bad("cleanup with command substitution", spec("backup:\n  cleanupStrategy: \"$(id)\""),
                        "spec.backup.cleanupStrategy", "'$(id)' is not an allowed restic forget flag"),
                bad("cleanup with a negative count", spec("backup:\n  cleanupStrategy: \"--keep-last=-1\""),
                        "spec.backup.cleanupStrategy", "at least 1"),
                bad("cleanup with --prune-all", spec("backup:\n  cleanupStrategy: \"--prune-all\""),
                        "spec.backup.cleanupStrategy", "'--prune-all' is not an allowed restic forget flag"),
                bad("cleanup with a zero duration", spec("backup:\n  cleanupStrategy: \"--keep-within=0d\""),
                        "spec.backup.cleanupStrategy", "not zero"),
                bad("only one of the backup secrets", spec("backup:\n  s3AccessKey: AKIA"), "spec.backup.s3SecretKey", "go together"),
                bad("bad bucket", spec("backup:\n  s3Bucket: Bad_Bucket"), "spec.backup.s3Bucket", "does not name a valid bucket"),
                bad("an IP address as S3 endpoint", spec("backup:\n  s3Bucket: \"127.0.0.1:1/xyz\""), "spec.backup.s3Bucket",
                        "it is the IP address 127.0.0.1, which must be named there explicitly"),
                bad("a decimal IP address as S3 endpoint", spec("backup:\n  s3Bucket: \"2130706433/backups\""), "spec.backup.s3Bucket",
                        "it is the IP address 127.0.0.1"),
                bad("a hexadecimal IP address as S3 endpoint", spec("backup:\n  s3Bucket: \"0x7f000001/backups\""), "spec.backup.s3Bucket",
                        "it is the IP address 127.0.0.1"),
                bad("the metadata address as S3 endpoint", spec("backup:\n  s3Bucket: \"http://169.254.169.254/backups\""), "spec.backup.s3Bucket",
                        "it is the IP address 169.254.169.254"),
                bad("an IPv6 loopback as S3 endpoint", spec("backup:\n  s3Bucket: \"[::1]:9000/backups\""), "spec.backup.s3Bucket",
                        "it is the IP address 0:0:0:0:0:0:0:1"),
                bad("localhost as S3 endpoint", spec("backup:\n  s3Bucket: \"http://localhost:9000/xyz\""), "spec.backup.s3Bucket",
                        "endpoint 'localhost:9000' is not allowed"),
                bad("bad region", spec("backup:\n  s3Region: \"US East\""), "spec.backup.s3Region", "not a valid region"),
                bad("pooler mode PgBouncer has but pgfleet does not offer", spec("pooler:\n  enabled: true\n  mode: statement"), "spec.pooler.mode",
                        "must be one of [session, transaction]"),
                bad("pooler that accepts no client", spec("pooler:\n  enabled: true\n  maxClientConnections: 0"),
                        "spec.pooler.maxClientConnections", "must be between 1 and 10000, got 0"),
                bad("pooler pools as large as the server allows", spec("postgresql:\n  parameters:\n    max_connections: 50\npooler:\n  enabled: true\n  defaultPoolSize: 50"),
                        "spec.pooler.defaultPoolSize", "must be lower than the instance's max_connections (50), got 50"),
                bad("pooler pool larger than PostgreSQL's default max_connections", spec("pooler:\n  enabled: true\n  defaultPoolSize: 100"),
                        "spec.pooler.defaultPoolSize", "lower than the instance's max_connections (100)"),
                bad("read-only pool without a standby", spec("replicas: 1\npooler:\n  enabled: true\n  readOnly: true"),
                        "spec.pooler.readOnly", "needs a standby: replicas must be 2 or more, got 1"),
                bad("a user named as the pooler's lookup role", spec("users:\n  pgfleet_pooler:\n    password: p"), "spec.users.pgfleet_pooler",
                        "names starting with 'pgfleet_' belong to pgfleet"),
                bad("pooler enabled as a string", spec("pooler:\n  enabled: \"yes\""), "spec.pooler.enabled", "must be a boolean"),
                bad("YAML that does not parse", HEAD + "spec:\n  replicas: [1,\n", "", "not valid YAML"),
                // bounded work
                bad("a million replicas", spec("replicas: 1000000"), "spec.replicas", "must be at most 16, got 1000000"),
                bad("17 replicas", spec("replicas: 17"), "spec.replicas", "must be at most 16, got 17"),
                bad("a size above the limit", spec("size: 17Ti"), "spec.size", "must be at most 16Ti"),
                bad("a size in exabytes", spec("size: 1Ei"), "spec.size", "must be at most 16Ti"),
                bad("too many users", spec(many("users", "u", 201)), "spec.users", "has 201 users; at most 200"),
                bad("too many databases", spec(many("databases", "d", 101)), "spec.databases", "has 101 databases; at most 100"),
                bad("TLS 1.0 allowed by the document", spec("postgresql:\n  parameters:\n    ssl_min_protocol_version: TLSv1"),
                        "spec.postgresql.parameters.ssl_min_protocol_version", "managed by the cluster itself"),
                bad("slots that keep WAL without limit", spec("postgresql:\n  parameters:\n    max_slot_wal_keep_size: -1"),
                        "spec.postgresql.parameters.max_slot_wal_keep_size", "must not be -1"),
                bad("slots that keep more WAL than half the volume", spec("size: 1Gi\npostgresql:\n  parameters:\n    max_slot_wal_keep_size: 1GB"),
                        "spec.postgresql.parameters.max_slot_wal_keep_size", "at most half of the volume (512MB of 1Gi)"),
                // settings checked against PostgreSQL's own catalogue
                bad("misspelt max_connections", spec("postgresql:\n  parameters:\n    max_conections: 100"),
                        "spec.postgresql.parameters.max_conections", "did you mean 'max_connections'?"),
                bad("misspelt shared_buffers", spec("postgresql:\n  parameters:\n    shared_buffer: 128MB"),
                        "spec.postgresql.parameters.shared_buffer", "did you mean 'shared_buffers'?"),
                bad("a setting that does not exist", spec("postgresql:\n  parameters:\n    make_it_fast: true"),
                        "spec.postgresql.parameters.make_it_fast", "is not a PostgreSQL 15 configuration setting"),
                bad("a setting of PostgreSQL 16", spec("postgresql:\n  parameters:\n    io_combine_limit: 16"),
                        "spec.postgresql.parameters.io_combine_limit", "is not a PostgreSQL 15 configuration setting"),
                bad("session_preload_libraries", spec("postgresql:\n  parameters:\n    session_preload_libraries: x"),
                        "spec.postgresql.parameters.session_preload_libraries", "load code or read files"),
                bad("local_preload_libraries", spec("postgresql:\n  parameters:\n    local_preload_libraries: x"),
                        "spec.postgresql.parameters.local_preload_libraries", "load code or read files"),
                bad("dynamic_library_path", spec("postgresql:\n  parameters:\n    dynamic_library_path: /tmp"),
                        "spec.postgresql.parameters.dynamic_library_path", "load code or read files"),
                bad("jit_provider", spec("postgresql:\n  parameters:\n    jit_provider: /tmp/evil"),
                        "spec.postgresql.parameters.jit_provider", "load code or read files"),
                bad("krb_server_keyfile", spec("postgresql:\n  parameters:\n    krb_server_keyfile: /etc/shadow"),
                        "spec.postgresql.parameters.krb_server_keyfile", "load code or read files"),
                bad("include of a file", spec("postgresql:\n  parameters:\n    include: /etc/passwd"),
                        "spec.postgresql.parameters.include", "load code or read files"),
                bad("include_dir", spec("postgresql:\n  parameters:\n    include_dir: /etc"),
                        "spec.postgresql.parameters.include_dir", "load code or read files"),
                bad("include_if_exists", spec("postgresql:\n  parameters:\n    include_if_exists: /etc/passwd"),
                        "spec.postgresql.parameters.include_if_exists", "load code or read files"),
                bad("managed hba_file", spec("postgresql:\n  parameters:\n    hba_file: /tmp/hba"),
                        "spec.postgresql.parameters.hba_file", "managed by the cluster"),
                bad("setting of an extension that is not allowed", spec("postgresql:\n  parameters:\n    auto_explain.log_min_duration: 10"),
                        "spec.postgresql.parameters[\"auto_explain.log_min_duration\"]", "not a setting of an allowed extension"),
                bad("two dots in a setting name", spec("postgresql:\n  parameters:\n    a.b.c: 1"),
                        "spec.postgresql.parameters[\"a.b.c\"]", "not a valid setting name"),
                bad("parameter value of 1025 characters", spec("postgresql:\n  parameters:\n    search_path: " + "a".repeat(1025)),
                        "spec.postgresql.parameters.search_path", "1 to 1024 characters"),
                bad("a developer option", spec("postgresql:\n  parameters:\n    zero_damaged_pages: true"),
                        "spec.postgresql.parameters.zero_damaged_pages", "is not a PostgreSQL 15 configuration setting"),
                bad("a size with an exponent out of range", spec("size: \"1e99999999999\""), "spec.size", "exponent out of range"),
                bad("empty parameter value", spec("postgresql:\n  parameters:\n    work_mem: \"\""),
                        "spec.postgresql.parameters.work_mem", "1 to 1024 characters"),
                bad("parameter value that is a list", spec("postgresql:\n  parameters:\n    work_mem: [4MB]"),
                        "spec.postgresql.parameters.work_mem", "must be a string, a number or a boolean"),
                bad("wal_level logical spelt wrong", spec("postgresql:\n  parameters:\n    wal_level: logic"),
                        "spec.postgresql.parameters.wal_level", "must be 'replica' or 'logical'"),
                // strict records
                bad("replicas given twice", spec("replicas: 1\nreplicas: 9"), "spec.replicas", "given more than once"),
                bad("a user given twice", spec("users:\n  bob: {}\n  bob: {}"), "spec.users.bob", "given more than once"),
                bad("a parameter given twice", spec("postgresql:\n  parameters:\n    work_mem: 4MB\n    work_mem: 64MB"),
                        "spec.postgresql.parameters.work_mem", "given more than once"),
                bad("spec given twice", spec("replicas: 1") + "spec:\n  replicas: 2\n", "spec", "given more than once"),
                bad("values nested too deeply", spec("postgresql:\n  parameters:\n    work_mem: " + "[".repeat(40) + "]".repeat(40)),
                        "", "nested too deeply"),
                // more of the existing kinds
                bad("negative replicas", spec("replicas: -3"), "spec.replicas", "must be at least 1"),
                bad("replicas out of the integer range", spec("replicas: 99999999999"), "spec.replicas", "must be an integer"),
                bad("quorum as a number", spec("quorum: 2"), "spec.quorum", "must be an object"),
                bad("negative max", spec("replicas: 3\nquorum:\n  minSyncReplicas: 0\n  maxSyncReplicas: -1"),
                        "spec.quorum.maxSyncReplicas", "must be 0 or more"),
                bad("users as a string", spec("users: bob"), "spec.users", "must be an object"),
                bad("superuser as a string", spec("users:\n  bob:\n    superuser: \"true\""), "spec.users.bob.superuser", "must be a boolean"),
                bad("password as a number", spec("users:\n  bob:\n    password: 1234"), "spec.users.bob.password", "must be a string"),
                bad("password of 1025 characters", spec("users:\n  bob:\n    password: " + "p".repeat(1025)),
                        "spec.users.bob.password", "at most 1024 characters"),
                bad("database name with a space", spec("databases:\n  \"my db\": {}"), "spec.databases[\"my db\"]", "not a valid"),
                bad("database postgres", spec("databases:\n  postgres: {}"), "spec.databases.postgres", "is reserved"),
                bad("extensions as a string", spec("databases:\n  app:\n    extensions: hstore"), "spec.databases.app.extensions",
                        "must be a list"),
                bad("roles as a list", spec("databases:\n  app:\n    roles: [admin]"), "spec.databases.app.roles", "must be an object"),
                bad("backup as a boolean", spec("backup: true"), "spec.backup", "must be an object"),
                bad("backup enabled as a string", spec("backup:\n  enabled: \"yes\""), "spec.backup.enabled", "must be a boolean"),
                bad("schedule with hour 24", spec("backup:\n  schedule: \"0 24 * * *\""), "spec.backup.schedule", "hour field"),
                bad("cleanup with an unknown flag", spec("backup:\n  cleanupStrategy: \"--keep-forever\""),
                        "spec.backup.cleanupStrategy", "not an allowed restic forget flag"),
                bad("unknown field in backup", spec("backup:\n  bucket: b"), "spec.backup.bucket", "unknown field"),
                bad("unknown field in postgresql", spec("postgresql:\n  params: {}"), "spec.postgresql.params", "unknown field"));
    }

    static Stream<Arguments> badCommands() {
        return Stream.of(
                badCommand(CommandType.SCALE, "{\"instance\":\"pg\"}", "", "at least one of replicas, size and quorum"),
                badCommand(CommandType.SCALE, "{\"instance\":\"pg\",\"replicas\":3,\"quorum\":{\"maxSyncReplicas\":3}}",
                        "quorum.maxSyncReplicas", "must be lower than replicas (3)"),
                badCommand(CommandType.SCALE, "{\"instance\":\"pg\",\"replicas\":0}", "replicas", "must be at least 1"),
                badCommand(CommandType.SCALE, "{\"instance\":\"pg\",\"size\":\"-1Gi\"}", "size", "not a Kubernetes quantity"),
                badCommand(CommandType.SCALE, "{\"replicas\":2}", "instance", "is required"),
                badCommand(CommandType.ADD_USER, "{\"instance\":\"pg\",\"name\":\"x'; DROP ROLE postgres; --\"}", "name", "not a valid name"),
                badCommand(CommandType.ADD_USER, "{\"instance\":\"pg\",\"name\":\"bob\",\"databases\":{\"app\":\"owner\"}}",
                        "databases.app", "not an access level"),
                badCommand(CommandType.ADD_USER, "{\"instance\":\"pg\"}", "name", "is required"),
                badCommand(CommandType.ADD_EXTENSION, "{\"instance\":\"pg\",\"database\":\"app\",\"extension\":\"plperlu\"}",
                        "extension", "not an allowed extension"),
                badCommand(CommandType.ADD_EXTENSION, "{\"instance\":\"pg\",\"database\":\"pg_catalog\",\"extension\":\"hstore\"}",
                        "database", "belong to PostgreSQL"),
                badCommand(CommandType.BACKUP, "{\"instance\":\"Not-A-Name\"}", "instance", "not a valid instance name"),
                badCommand(CommandType.RESTORE, "{\"instance\":\"pg\",\"from\":\"a/b/c\"}", "from", "not an instance"),
                badCommand(CommandType.RESTORE, "{\"instance\":\"pg\",\"from\":\"Bad_Name\"}", "from", "not a valid instance name"),
                badCommand(CommandType.RESTORE, "{\"instance\":\"pg\",\"backup\":\"latest; rm -rf /\"}", "backup", "not a backup id"),
                badCommand(CommandType.RESTORE, "{\"instance\":\"pg\",\"database\":\"x\\\"; DROP\"}", "database", "not a valid"),
                badCommand(CommandType.RESTORE, "{\"instance\":\"pg\",\"pointInTime\":\"yesterday\"}", "pointInTime", "not an RFC 3339 time"),
                badCommand(CommandType.RESTORE, "{\"instance\":\"pg\",\"pointInTime\":\"2026-11-30T14:05:00\"}", "pointInTime",
                        "with its offset"),
                badCommand(CommandType.RESTORE, "{\"instance\":\"pg\",\"pointInTime\":\"2026-11-30T14:05:00Z\",\"database\":\"app\"}",
                        "database", "returns the whole instance"),
                badCommand(CommandType.RESTORE, "{\"instance\":\"pg\",\"pointInTime\":\"2026-11-30T14:05:00Z\",\"backup\":\"20261130-031500-3fa2c1\"}",
                        "backup", "finds its base backup itself"),
                badCommand(CommandType.DELETE, "{\"instance\":\"pg\",\"namespace\":\"a/b\"}", "namespace", "not a valid namespace"),
                badCommand(CommandType.DELETE, "{\"instance\":\"pg\",\"force\":true}", "force", "unknown field"),
                badCommand(CommandType.SCALE, "{\"instance\":\"pg\",\"replicas\":1000000}", "replicas", "must be at most 16"),
                badCommand(CommandType.SCALE, "{\"instance\":\"pg\",\"replicas\":17}", "replicas", "must be at most 16"),
                badCommand(CommandType.SCALE, "{\"instance\":\"pg\",\"size\":\"100Pi\"}", "size", "must be at most 16Ti"),
                badCommand(CommandType.SCALE, "{\"instance\":\"pg\",\"replicas\":1,\"replicas\":9}", "replicas", "given more than once"),
                badCommand(CommandType.ADD_USER, "{\"instance\":\"pg\",\"name\":\"bob\",\"name\":\"alice\"}", "name",
                        "given more than once"),
                badCommand(CommandType.ADD_USER, "{\"instance\":\"pg\",\"name\":\"bob\",\"password\":\"\"}", "password", "must not be empty"),
                badCommand(CommandType.ADD_EXTENSION, "{\"instance\":\"pg\",\"database\":\"app\"}", "extension", "is required"),
                badCommand(CommandType.BACKUP, "{\"instance\":\"pg\",\"instance\":\"other\"}", "instance", "given more than once"),
                badCommand(CommandType.RESTORE, "{\"instance\":\"pg\",\"backup\":\"short\"}", "backup", "not a backup id"),
                badCommand(CommandType.DELETE, "{\"instance\":\"pg\",\"extra\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "}",
                        "", "nested too deeply"));
    }

    /** A map of {@code count} empty entries named prefix0, prefix1, … (YAML, under spec). */
    private static String many(String field, String prefix, int count) {
        StringBuilder yaml = new StringBuilder(field).append(":\n");
        for (int i = 0; i < count; i++) {
            yaml.append("  ").append(prefix).append(i).append(": {}\n");
        }
        return yaml.toString();
    }

    private static Arguments bad(String what, String yaml, String path, String rule) {
        return Arguments.of(what, yaml, path, rule);
    }

    private static Arguments badCommand(CommandType type, String json, String path, String rule) {
        return Arguments.of(type, json, path, rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDocuments")
    void aBadDocumentIsRefusedWithItsPathAndRule(String what, String yaml, String path, String rule) {
        List<FieldError> errors = errorsOf(yaml);
        assertThat(errors).as(what).isNotEmpty();
        assertThat(errors).as(what + ": " + errors)
                .anySatisfy(error -> {
                    assertThat(error.path()).isEqualTo(path);
                    assertThat(error.message()).contains(rule);
                });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badCommands")
    void aBadCommandIsRefusedWithItsPathAndRule(CommandType type, String json, String path, String rule) throws Exception {
        Parsed<?> parsed = PayloadReader.fromJson(json.getBytes(), type.payloadType());
        List<FieldError> errors = parsed.isOk() ? VALIDATOR.validate(parsed.value()) : parsed.errors();
        assertThat(errors).as(errors.toString())
                .anySatisfy(error -> {
                    assertThat(error.path()).isEqualTo(path);
                    assertThat(error.message()).contains(rule);
                });
    }

    @Test
    void theTableIsLargeEnoughToMeanSomething() {
        assertThat(badDocuments().count() + badCommands().count()).isGreaterThanOrEqualTo(100);
    }

    @Test
    void everyErrorOfADocumentIsReportedAtOnce() {
        List<FieldError> errors = errorsOf(spec("""
                replicas: 0
                size: 10GB
                users:
                  postgres: {}
                databases:
                  app:
                    extensions: [plpython3u]
                backup:
                  schedule: "every day"
                """));
        assertThat(errors).extracting(FieldError::path).containsExactlyInAnyOrder(
                "spec.replicas", "spec.size", "spec.users.postgres", "spec.databases.app.extensions[0]", "spec.backup.schedule");
    }

    @Test
    void everyStructuralErrorIsReportedAtOnce() {
        List<FieldError> errors = errorsOf(spec("replcias: 3\nsize: 10\nquorum:\n  max: 1\nusers:\n  bob:\n    superuser: 1"));
        assertThat(errors).extracting(FieldError::path).containsExactlyInAnyOrder(
                "spec.replcias", "spec.size", "spec.quorum.max", "spec.users.bob.superuser");
    }

    @Test
    void noErrorMessageRepeatsASecret() {
        String yaml = spec("""
                users:
                  bob:
                    password: "hunter2\\u0000tail"
                backup:
                  enabled: true
                  s3Bucket: bucket-one
                  s3AccessKey: "AKIA-SECRET-ACCESS"
                  s3SecretKey: "s3-secret-\\u0001value"
                """);
        List<FieldError> errors = errorsOf(yaml);
        assertThat(errors).extracting(FieldError::path)
                .containsExactlyInAnyOrder("spec.users.bob.password", "spec.backup.s3SecretKey", "spec.backup.resticPassword");
        assertThat(errors.toString()).doesNotContain("hunter2", "AKIA-SECRET-ACCESS", "s3-secret");
    }

    @Test
    void aPayloadThatDoesNotParseOrMistypesASecretIsAnsweredWithoutQuotingIt() {
        // Broken JSON around a secret: the parser's message must not carry the token it stumbled on.
        io.pgfleet.events.json.Parsed<Postgres> broken;
        try {
            broken = PayloadReader.fromJson("{\"spec\":{\"users\":{\"bob\":{\"password\": hunter2secret}}}}".getBytes(), Postgres.class);
        } catch (io.pgfleet.events.json.MalformedPayloadException e) {
            assertThat(e.getMessage()).contains("not valid JSON").doesNotContain("hunter2secret");
            broken = null;
        }
        if (broken != null) {
            assertThat(broken.errors().toString()).doesNotContain("hunter2secret");
        }
        List<FieldError> numeric = errorsOf(spec("users:\n  bob:\n    password: 987654321"));
        assertThat(numeric).extracting(FieldError::path).contains("spec.users.bob.password");
        assertThat(numeric.toString()).doesNotContain("987654321");
    }

    @Test
    void aFleetThatAllowsNoSuperusersRefusesThemInDocumentsAndAddUserNamingTheField() {
        CommandValidator strict = new CommandValidator(new ValidationPolicy(ValidationPolicy.DEFAULT_EXTENSIONS, ValidationPolicy.Limits.DEFAULTS,
                false));
        Parsed<Postgres> doc = PayloadReader.fromText(spec("users:\n  admin:\n    superuser: true\n  app: {}"), Postgres.class);
        assertThat(strict.validate(doc.value())).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("spec.users.admin.superuser");
            assertThat(error.message()).contains("superusers are not allowed", "pgfleet.policy.allow-superusers");
        });
        assertThat(strict.validate(new io.pgfleet.events.command.AddUserCommand("db", null, "boss", null, null, true, null)))
                .extracting(FieldError::path).containsExactly("superuser");
        // The default policy keeps the reference's examples (one has a superuser) publishable unchanged.
        assertThat(VALIDATOR.validate(doc.value())).isEmpty();
    }

    @Test
    void anS3EndpointAllowlistAdmitsWhatItNamesAndNothingElse() {
        CommandValidator strict = new CommandValidator(new ValidationPolicy(ValidationPolicy.DEFAULT_EXTENSIONS, ValidationPolicy.Limits.DEFAULTS,
                true, List.of("s3.tenant.hikube.cloud", "*.backups.example", "10.1.2.3:9000")));
        for (String allowed : List.of("s3.tenant.hikube.cloud/b-1", "https://s3.tenant.hikube.cloud:443/b-1", "eu.backups.example/b-1",
                "http://10.1.2.3:9000/b-1", "bucket-only")) {
            assertThat(strict.validate(PayloadReader.fromText(spec("backup:\n  s3Bucket: \"" + allowed + "\""), Postgres.class).value()))
                    .as(allowed).isEmpty();
        }
        for (String refused : List.of("s3.amazonaws.com/b-1", "backups.example/b-1", "10.1.2.3:9001/b-1", "127.0.0.1/b-1")) {
            assertThat(strict.validate(PayloadReader.fromText(spec("backup:\n  s3Bucket: \"" + refused + "\""), Postgres.class).value()))
                    .as(refused).extracting(FieldError::path).containsExactly("spec.backup.s3Bucket");
        }
    }

    @Test
    void aValidDocumentHasNoErrors() {
        assertThat(errorsOf(spec("replicas: 3\nquorum:\n  minSyncReplicas: 1\n  maxSyncReplicas: 2"))).isEmpty();
    }

    private static List<FieldError> errorsOf(String yaml) {
        Parsed<Postgres> parsed = PayloadReader.fromText(yaml, Postgres.class);
        List<FieldError> errors = new ArrayList<>(parsed.errors());
        if (parsed.isOk()) {
            errors.addAll(VALIDATOR.validate(parsed.value()));
        }
        return errors;
    }
}
