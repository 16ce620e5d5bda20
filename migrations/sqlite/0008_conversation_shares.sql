-- A read-only link to a conversation (/c/<id>), made and revoked by the
-- conversation's owner. The id is 32 random bytes given to the owner; the
-- database holds its keyed hash (what a page view looks up) and the id
-- sealed with a key derived from SECRET_KEY (so sharing again gives the
-- owner the same link), never the id itself: a copy of the database alone
-- opens no link. One link per conversation; it goes with the conversation
-- (retention, account deletion).
CREATE TABLE conversation_shares (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    sealed_token TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
