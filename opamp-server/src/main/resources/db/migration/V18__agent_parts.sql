-- The large parts of what an agent reports (its effective config, package statuses and available
-- components), a row each, written only when the part changes: in the agents row every status report
-- rewrote them all, a collector's 1.4 KB of components included.
CREATE TABLE agent_parts (
  instance_uid  VARCHAR(64) NOT NULL,
  part          VARCHAR(32) NOT NULL,
  body          BYTEA,
  written_by    VARCHAR(64),
  PRIMARY KEY (instance_uid, part)
);
INSERT INTO agent_parts (instance_uid, part, body, written_by)
  SELECT instance_uid, 'effective_config', effective_config, held_by FROM agents WHERE effective_config IS NOT NULL;
INSERT INTO agent_parts (instance_uid, part, body, written_by)
  SELECT instance_uid, 'package_statuses', package_statuses, held_by FROM agents WHERE package_statuses IS NOT NULL;
INSERT INTO agent_parts (instance_uid, part, body, written_by)
  SELECT instance_uid, 'available_components', available_components, held_by FROM agents
  WHERE available_components IS NOT NULL;
ALTER TABLE agents DROP COLUMN effective_config;
ALTER TABLE agents DROP COLUMN package_statuses;
ALTER TABLE agents DROP COLUMN available_components;
