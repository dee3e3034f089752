-- The users and databases each instance should have (never a password), and the users this
-- service created (only those are ever dropped).
CREATE TABLE access (
    instance      text PRIMARY KEY,
    desired       text        NOT NULL,
    managed_users text        NOT NULL DEFAULT '[]',
    updated_at    timestamptz NOT NULL DEFAULT now()
);
