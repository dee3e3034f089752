package io.pgfleet.runtime.job;

/** Where a job stands. */
public enum JobStatus { PENDING, RUNNING, SUCCEEDED, FAILED }
