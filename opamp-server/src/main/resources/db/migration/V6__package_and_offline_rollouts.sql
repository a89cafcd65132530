-- Rollouts of a collector package version, with a config or instead of one: a rollout of a package
-- alone has no config. Each agent keeps the package version it goes back to.
ALTER TABLE rollouts ALTER COLUMN config_name DROP NOT NULL;
ALTER TABLE rollouts ALTER COLUMN version DROP NOT NULL;
ALTER TABLE rollouts ADD COLUMN package_name VARCHAR(128);
ALTER TABLE rollouts ADD COLUMN package_version VARCHAR(128);
ALTER TABLE rollout_agents ADD COLUMN previous_package VARCHAR(128);
-- Rollouts that include agents offline at the start wait this long for each (0: they wait, pending).
ALTER TABLE rollouts ADD COLUMN offline_deadline_millis BIGINT DEFAULT 0 NOT NULL;
