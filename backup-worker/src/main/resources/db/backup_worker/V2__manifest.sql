-- The manifest of a good backup (file -> snapshot id and size), so a restore needs no repository listing.
ALTER TABLE backup_run ADD COLUMN manifest text;
