-- Events are pruned oldest first by id (see EventLog.prune): the index by time served only that, and
-- every event stored paid for it, a tenth of a rollout wave's writes.
DROP INDEX agent_events_by_time;
