-- Keys the servers sharing the store make once and share: one that signs agents' own-telemetry
-- credentials, so that any of them can check a credential another offered.
CREATE TABLE server_keys (
  name      VARCHAR(64) PRIMARY KEY,
  key_value VARCHAR(200) NOT NULL
);
