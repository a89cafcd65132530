-- What the fleet wants of each agent, in a narrow table of its own: a rollout writes it for every agent
-- of a wave, and rewriting the wide agents row (effective config, components) for it cost an embedded
-- store ten times as much as a row of these four columns.
CREATE TABLE agent_desired (
  instance_uid     VARCHAR(64) PRIMARY KEY,
  desired_config   VARCHAR(128),
  desired_version  INTEGER,
  desired_local    BOOLEAN DEFAULT FALSE NOT NULL,
  desired_at       BIGINT DEFAULT 0 NOT NULL
);
INSERT INTO agent_desired (instance_uid, desired_config, desired_version, desired_local, desired_at)
  SELECT instance_uid, desired_config, desired_version, desired_local, desired_at FROM agents
  WHERE desired_config IS NOT NULL OR desired_local;
ALTER TABLE agents DROP COLUMN desired_config;
ALTER TABLE agents DROP COLUMN desired_version;
ALTER TABLE agents DROP COLUMN desired_local;
ALTER TABLE agents DROP COLUMN desired_at;
