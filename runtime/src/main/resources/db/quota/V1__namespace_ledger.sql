-- The namespace quota ledger, shared by the services of one fleet (they keep their state in one database, each in its
-- own schema; this schema is theirs together). The first service to take a counted command decides it here, and every
-- other service answers that command with the decision recorded, so one command gets one answer whatever order each
-- service read its namespace's commands in.

-- One row per counted command (provision, add-user, delete) of a namespace: admitted when it has no errors.
CREATE TABLE decision (
    namespace      text        NOT NULL,
    command_id     text        NOT NULL,
    fingerprint    text        NOT NULL,
    instance       text        NOT NULL,
    error_paths    text[]      NOT NULL,
    error_messages text[]      NOT NULL,
    decided_by     text        NOT NULL,
    decided_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, command_id)
);

-- What each instance of a namespace holds, as admitted commands left it (no row: nothing).
CREATE TABLE usage (
    namespace   text    NOT NULL,
    instance    text    NOT NULL,
    users       text[]  NOT NULL,
    databases   integer NOT NULL,
    provisioned boolean NOT NULL,
    PRIMARY KEY (namespace, instance)
);
