-- Whether the FAILED an agent reported for a rollout's version is the one from before its wave (it is
-- sent the version again and not counted failed until it reports anew): kept in memory only, a server
-- restarted mid-wave counted such an agent failed at once.
ALTER TABLE rollout_agents ADD COLUMN stale_failure BOOLEAN DEFAULT FALSE NOT NULL;
