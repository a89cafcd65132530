-- Servers sharing one store: each says it is alive until a time it keeps moving on (a lease), and
-- each agent's row names the server holding its connection.
CREATE TABLE replicas (
  name           VARCHAR(64) PRIMARY KEY,
  started_at     BIGINT NOT NULL,
  alive_until    BIGINT NOT NULL,
  opamp_address  VARCHAR(128),
  admin_address  VARCHAR(128)
);
ALTER TABLE agents ADD COLUMN held_by VARCHAR(64);
CREATE INDEX agents_by_holder ON agents (held_by);
CREATE INDEX agents_by_last_seen ON agents (last_seen);
