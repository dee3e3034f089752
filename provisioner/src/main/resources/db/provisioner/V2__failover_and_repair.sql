-- The primary last seen, a change of primary under way (what its ...Started event said, until ...Completed is said),
-- and the back-off of repairs that failed.
ALTER TABLE instance ADD COLUMN primary_member text;
ALTER TABLE instance ADD COLUMN failover text;
ALTER TABLE instance ADD COLUMN repair_failures integer NOT NULL DEFAULT 0;
ALTER TABLE instance ADD COLUMN next_repair_at timestamptz;
