-- How far a backup has come (plan.BackupProgress as JSON): each bounded step records what it saved, so a step retried
-- after a crash saves only what is missing. File names, snapshot ids, sizes and checksums: no credential.
ALTER TABLE backup_run ADD COLUMN progress text;
