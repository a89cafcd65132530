-- No query looks agents up by the time of their last message, and the index cost a write with every
-- report. On the embedded store it also kept the file growing for as long as agents reported (H2
-- did not free the chunks its changing entries left behind): 800 MB in four minutes of 5,000 agents
-- reporting, where without it the file stays near 200 MB (bench/README.md).
DROP INDEX agents_by_last_seen;
