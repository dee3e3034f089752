-- Each instance's backup configuration (never its credentials: those live in the credential store),
-- with the next scheduled run; a replica takes a run by moving next_run forward (once).
CREATE TABLE backup_config (
    instance         text PRIMARY KEY,
    enabled          boolean     NOT NULL,
    s3_bucket        text        NOT NULL,
    s3_region        text        NOT NULL,
    schedule         text        NOT NULL,
    cleanup_strategy text,
    next_run         timestamptz,
    updated_at       timestamptz NOT NULL
);

-- The catalog: one row per backup run, scheduled or on demand, and its outcome.
CREATE TABLE backup_run (
    id            text PRIMARY KEY,
    instance      text        NOT NULL,
    command_id    text,
    trigger       text        NOT NULL,
    scheduled_for timestamptz,
    repository    text        NOT NULL,
    status        text        NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz,
    databases     text,
    snapshots     text,
    bytes         bigint,
    duration_ms   bigint,
    message       text,
    forgotten     boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    UNIQUE (instance, scheduled_for)
);
CREATE INDEX backup_run_instance ON backup_run (instance, created_at);
