package io.pgfleet.provisioner.job;

/** Where a job stands. */
public enum JobStatus { PENDING, RUNNING, SUCCEEDED, FAILED }
