-- What a handled command said (SHA-256 of its type, instance and canonical payload), so that a command id
-- reused for another payload is answered instead of passing for a redelivery. NULL for commands handled
-- before this column existed: those ids count as the same command.
ALTER TABLE handled_command ADD COLUMN fingerprint text;
