-- Answer streams, recorded so Last-Event-ID can resume on any instance.
-- Frames are the exact SSE text sent to clients.

CREATE TABLE chat_streams (
    message_id TEXT PRIMARY KEY,
    user_id TEXT,
    session_id TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX chat_streams_created ON chat_streams(created_at);

CREATE TABLE stream_events (
    message_id TEXT NOT NULL REFERENCES chat_streams(message_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    frame TEXT NOT NULL,
    PRIMARY KEY (message_id, seq)
);

-- messages.created_at holds Unix milliseconds from here on: several turns of
-- one conversation can fall in the same second and must keep their order.

CREATE INDEX chat_streams_cancel ON chat_streams(cancel_requested, finished_at);
