-- Hand-offs without a timer: a job that becomes takeable (a new one, or one a worker let go of) and a new
-- status event notify the service's channel ('<schema>.job', '<schema>.outbox') when their transaction
-- commits; the service listens on one connection and wakes its workers or its relay at once. Polling stays
-- only as a slow safety net (pgfleet.jobs.poll, pgfleet.outbox.interval).
CREATE FUNCTION pgfleet_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, '');
    RETURN NULL;
END
$$;

CREATE TRIGGER job_added AFTER INSERT ON job FOR EACH STATEMENT EXECUTE FUNCTION pgfleet_wake();
-- Taking a job (lease set) or renewing its lease frees nothing; letting go of it does.
CREATE TRIGGER job_let_go AFTER UPDATE ON job FOR EACH ROW
    WHEN (OLD.lease_owner IS NOT NULL AND NEW.lease_owner IS NULL) EXECUTE FUNCTION pgfleet_wake();
CREATE TRIGGER outbox_added AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION pgfleet_wake();
