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
