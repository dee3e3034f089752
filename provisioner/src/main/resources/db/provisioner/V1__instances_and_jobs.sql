-- The instances this provisioner owns: their desired cluster spec (no secrets) and where they stand.
CREATE TABLE instance (
    key        text PRIMARY KEY,
    namespace  text        NOT NULL,
    name       text        NOT NULL,
    spec       text        NOT NULL,
    phase      text        NOT NULL,
    message    text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Work continues from here, not from the Kafka consumer: one row per command (or repair), taken one
-- step at a time by the workers, one open job per instance at a time, in order.
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
