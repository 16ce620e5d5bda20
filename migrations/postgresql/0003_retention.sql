-- Named leases: background work that must run on one instance at a time
-- (pruning) is done by whoever holds the lease, renewed while working.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- What retention looks rows up by.
CREATE INDEX chat_streams_finished ON chat_streams(finished_at);
CREATE INDEX analytics_events_created ON analytics_events(created_at);
CREATE INDEX sessions_expires ON sessions(expires_at);
CREATE INDEX rate_limit_counters_window ON rate_limit_counters(window_start);
