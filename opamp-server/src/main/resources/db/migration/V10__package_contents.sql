-- Hosted package content shared by the servers on one PostgreSQL store, in chunks: a server that
-- lacks a package's file on its own disk copies it from here at the first download.
CREATE TABLE package_contents (
  sha256  VARCHAR(64) NOT NULL,
  chunk   INTEGER NOT NULL,
  bytes   BYTEA NOT NULL,
  PRIMARY KEY (sha256, chunk)
);
