-- When the job's current step was first reported: a step that polls for something (a server starting, a standby
-- catching up) comes back sooner while the wait is young and less often as it grows (Step.poll).
ALTER TABLE job ADD COLUMN step_since timestamptz NOT NULL DEFAULT now();
