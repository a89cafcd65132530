-- Counts the changes of what an agent reports besides the time of its last message: servers sharing
-- the store compare it to find what they missed.
ALTER TABLE agents ADD COLUMN revision BIGINT DEFAULT 0 NOT NULL;
