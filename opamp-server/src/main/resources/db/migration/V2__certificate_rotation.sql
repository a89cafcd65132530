-- The certificate the server signed for an agent and is waiting to see it connect with.
ALTER TABLE agents ADD COLUMN certificate_pending_sha256 VARCHAR(64);
