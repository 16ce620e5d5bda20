-- A reader's rating of an answer: one per answer (message id), a later one
-- replaces it. Kept as long as the answer's conversation (retention removes
-- a rating whose answer is gone), deleted with the reader's account.
CREATE TABLE answer_feedback (
    message_id TEXT PRIMARY KEY,
    rating TEXT NOT NULL,
    reason TEXT,
    comment TEXT,
    user_id TEXT,
    session_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX answer_feedback_created ON answer_feedback(created_at);
CREATE INDEX answer_feedback_user ON answer_feedback(user_id);
