-- Shared by the three services, in each service's own schema.

-- Every command id a service has handled: a redelivered command finds its id here and changes nothing.
CREATE TABLE handled_command (
    command_id   text PRIMARY KEY,
    command_type text        NOT NULL,
    instance     text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- Status events written in the same transaction as the work they describe, relayed to Kafka.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    event_id     uuid        NOT NULL UNIQUE,
    topic        text        NOT NULL,
    instance     text        NOT NULL,
    payload      text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
