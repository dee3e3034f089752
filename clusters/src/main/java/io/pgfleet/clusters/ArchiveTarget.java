package io.pgfleet.clusters;

/**
 * Where an instance's WAL archive and base backups go, for a driver whose platform archives by itself (CloudNativePG's
 * Barman Cloud plugin). No credential: the platform reads the instance's backup credential store.
 *
 * @param destinationPath {@code s3://<bucket>[/<prefix>]/_wal/<namespace>/<name>}
 * @param endpointUrl     the S3 endpoint ({@code https://host[:port]}), null for AWS
 * @param schedule        the document's 5-field cron (UTC)
 * @param windowDays      the days {@code cleanupStrategy} keeps: the recovery window
 */
public record ArchiveTarget(String destinationPath, String endpointUrl, String schedule, int windowDays) {
}
