-- One server drives each unfinished rollout (the one named here), while it is alive; another takes
-- it over when it is gone. An operator's pause, resume or abort asked of another server waits here
-- for the driver to carry it out.
ALTER TABLE rollouts ADD COLUMN driver VARCHAR(64);
ALTER TABLE rollouts ADD COLUMN requested VARCHAR(200);
-- Rollout ids, handed out once across servers: each takes the next under the row's lock.
CREATE TABLE rollout_ids (next_id BIGINT NOT NULL);
INSERT INTO rollout_ids (next_id) SELECT COALESCE(MAX(id), 0) + 1 FROM rollouts;
