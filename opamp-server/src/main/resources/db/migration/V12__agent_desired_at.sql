-- When an agent's desired state was last written: a server reading the row tells a config still on
-- its way to the agent (it has not spoken since) from one it runs another than (drift).
ALTER TABLE agents ADD COLUMN desired_at BIGINT DEFAULT 0 NOT NULL;
