-- Restore drills on a schedule: the document's own drill schedule (spec.backup.verifySchedule, null: the operator's
-- pgfleet.backup.verify.schedule), the schedule the next drill was planned from, and when it falls due.
ALTER TABLE backup_config ADD COLUMN verify_schedule text;
ALTER TABLE backup_config ADD COLUMN verify_cron text;
ALTER TABLE backup_config ADD COLUMN next_verify timestamptz;
