-- Packages the server hosts (the files live in the data directory, named by their SHA-256), and
-- which of them each agent is offered.
CREATE TABLE packages (
  name        VARCHAR(128) NOT NULL,
  version     VARCHAR(128) NOT NULL,
  addon       BOOLEAN NOT NULL,
  sha256      VARCHAR(64) NOT NULL,
  signature   BYTEA,
  size        BIGINT NOT NULL,
  token       VARCHAR(64) NOT NULL UNIQUE,
  created_at  BIGINT NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE agent_packages (
  instance_uid  VARCHAR(64) NOT NULL,
  name          VARCHAR(128) NOT NULL,
  version       VARCHAR(128) NOT NULL,
  PRIMARY KEY (instance_uid, name),
  FOREIGN KEY (name, version) REFERENCES packages (name, version)
);
