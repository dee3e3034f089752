-- Restore drills (verify commands, and the schedule's): one row per drill of a backup (backup_id) or of a point in time
-- (point_in_time), with what it measured and found.
-- Names, counts and seconds only: no credential (the scratch server's password is never kept).
CREATE TABLE backup_drill (
    id           text PRIMARY KEY,
    instance     text        NOT NULL,
    command_id   text,
    backup_id    text,
    point_in_time timestamptz,
    status       text        NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    restore_ms   bigint,
    bytes        bigint,
    databases    integer,
    tables       integer,
    findings     text,
    message      text        NOT NULL
);
CREATE INDEX backup_drill_instance ON backup_drill (instance, finished_at);
