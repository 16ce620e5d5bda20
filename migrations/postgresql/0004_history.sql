-- What GET /chat/history reads back: a conversation as the client names it
-- (context.session_id, else "default"), whichever session or account holds it
-- now; how each answer ended; an answer still being produced with its
-- question and the instance producing it; sources kept with saved chats.

ALTER TABLE conversations ADD COLUMN client_key TEXT NOT NULL DEFAULT 'default';
UPDATE conversations SET client_key = split_part(id, ':', 2);
CREATE INDEX conversations_session_key ON conversations(session_id, client_key);
CREATE INDEX conversations_user_key ON conversations(user_id, client_key);

ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT 'complete';

ALTER TABLE chat_streams ADD COLUMN conversation_key TEXT;
ALTER TABLE chat_streams ADD COLUMN question TEXT;
-- The instance producing the answer: when its lease ("instance:<id>" in
-- leases) lapses, another instance ends the answer it left unfinished.
ALTER TABLE chat_streams ADD COLUMN instance_id TEXT;
CREATE INDEX chat_streams_session ON chat_streams(session_id, finished_at);
CREATE INDEX chat_streams_user ON chat_streams(user_id, finished_at);

ALTER TABLE saved_chat_messages ADD COLUMN sources TEXT;
