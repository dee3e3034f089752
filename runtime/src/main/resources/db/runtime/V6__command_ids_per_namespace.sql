-- Command ids are scoped by namespace: an id one tenant used is not burnt for another (a tenant could otherwise publish,
-- in its own namespace, the ids it expects another to use, and have that tenant's commands answered CommandIdReused or
-- dropped as redeliveries). The namespace is the one of the instance the command names.
ALTER TABLE handled_command ADD COLUMN namespace text;
UPDATE handled_command SET namespace = split_part(instance, '/', 1);
ALTER TABLE handled_command ALTER COLUMN namespace SET NOT NULL;
ALTER TABLE handled_command DROP CONSTRAINT handled_command_pkey;
ALTER TABLE handled_command ADD PRIMARY KEY (namespace, command_id);
