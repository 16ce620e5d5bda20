-- An answer's journal as one row per flush (about every 100 ms) instead of
-- one per token: a few rows per answer, not hundreds. frames holds the SSE
-- frames of the flush back to back, each "id: <message>:<seq>\n...\n\n";
-- first_seq and last_seq bound the seqs it holds.

CREATE TABLE stream_chunks (
    message_id TEXT NOT NULL REFERENCES chat_streams(message_id) ON DELETE CASCADE,
    first_seq BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    frames TEXT NOT NULL,
    PRIMARY KEY (message_id, first_seq)
);

INSERT INTO stream_chunks (message_id, first_seq, last_seq, frames)
    SELECT message_id, seq, seq, frame FROM stream_events;

DROP TABLE stream_events;
