-- The server decided an agent runs its local config (the rollback of its first rollout): no
-- assignment takes it again, and it is told to drop a remote config it runs, even after a restart.
ALTER TABLE agents ADD COLUMN desired_local BOOLEAN DEFAULT FALSE NOT NULL;
