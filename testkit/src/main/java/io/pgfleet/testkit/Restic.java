package io.pgfleet.testkit;

import io.pgfleet.servers.S3Server;

import io.pgfleet.host.CommandResult;
import io.pgfleet.host.ProcessRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The installed {@code restic} command, for tests that check a repository directly rather than
 * through pgfleet.
 *
 * @param repository the repository, e.g. {@code s3:http://127.0.0.1:9000/bucket/path}
 * @param environment credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, RESTIC_PASSWORD
 */
public record Restic(String repository, Map<String, String> environment) {

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    /**
     * The installed version, e.g. {@code restic 0.14.0 ...}.
     *
     * @throws IllegalStateException saying how to install it when it is missing
     */
    public static String requireInstalled() {
        try {
            CommandResult result = ProcessRunner.run(List.of("restic", "version"), Map.of(), null, Duration.ofSeconds(30));
            if (result.ok()) {
                return result.output().strip();
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalStateException("restic is not installed; install it (Debian: apt-get install restic)");
    }

    /** A repository in a bucket of the S3 server, with its credentials and this password. */
    public static Restic onS3(S3Server s3, String bucketAndPath, String password) {
        return new Restic("s3:" + s3.endpoint() + "/" + bucketAndPath, Map.of(
                "AWS_ACCESS_KEY_ID", s3.accessKey(),
                "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                "RESTIC_PASSWORD", password));
    }

    /** Runs {@code restic -r <repository> <args>} and fails with its output unless it exits 0. */
    public CommandResult run(Path workDir, String... args) {
        List<String> argv = new ArrayList<>(List.of("restic", "--no-cache", "-r", repository));
        argv.addAll(List.of(args));
        return ProcessRunner.check(argv, environment, workDir, TIMEOUT);
    }

    /** The same, returning the result whatever the exit code. */
    public CommandResult tryRun(Path workDir, String... args) {
        List<String> argv = new ArrayList<>(List.of("restic", "--no-cache", "-r", repository));
        argv.addAll(List.of(args));
        return ProcessRunner.run(argv, environment, workDir, TIMEOUT);
    }
}
