-- Work continues from here, not from the Kafka consumer: one row per command (or the service's own
-- work), taken one step at a time by the workers, one open job per instance at a time, in order.
CREATE TABLE job (
    id           bigserial PRIMARY KEY,
    instance     text        NOT NULL,
    command_id   text,
    command_type text        NOT NULL,
    spec         text,
    status       text        NOT NULL,
    step         text        NOT NULL DEFAULT '',
    errors       int         NOT NULL DEFAULT 0,
    not_before   timestamptz NOT NULL DEFAULT now(),
    lease_owner  text,
    lease_until  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_open ON job (instance, id) WHERE status IN ('PENDING', 'RUNNING');
