-- An instance's WAL archive (pgBackRest): its base backups and the recovery window they give, as the last look at the
-- repository found them. No credential is kept here.
CREATE TABLE wal_archive (
    instance     text PRIMARY KEY,
    stanza       text NOT NULL,
    repository   text NOT NULL,
    earliest     timestamptz,
    base_backups text NOT NULL DEFAULT '[]',
    wal_min      text,
    wal_max      text,
    updated_at   timestamptz NOT NULL
);
