-- Agents' own metrics where servers share the store: each agent's latest figures (for every server's
-- fleet list) and its whole window (for its page), written by the server that received them, about
-- once a second. dropping_until: five minutes after the last sample with refused or failed items.
CREATE TABLE agent_own_metrics (
  uid              VARCHAR(64) PRIMARY KEY,
  at               BIGINT NOT NULL,
  cpu_percent      DOUBLE PRECISION,
  rss_bytes        DOUBLE PRECISION,
  accepted_per_s   DOUBLE PRECISION,
  sent_per_s       DOUBLE PRECISION,
  dropping_until   BIGINT NOT NULL,
  queue_filling    BOOLEAN NOT NULL,
  window_state     BYTEA NOT NULL
);
