-- Rollouts whose waves are stages by selector, each with its own bake time: a line each, the bake
-- in milliseconds, a space, the selector. Null for waves by share or count.
ALTER TABLE rollouts ADD COLUMN stages VARCHAR(20000);
