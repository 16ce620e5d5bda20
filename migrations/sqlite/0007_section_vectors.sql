-- Each section's vector from the embeddings model (EMBEDDINGS_*), keyed by
-- what produced it: the model, the dimensions, and a hash of the text that
-- was embedded. A section whose text did not change is never embedded
-- again: not at a restart, a reload, nor by another instance. codes: the
-- components as signed bytes of `scale` (chat/search/vector_index.hpp),
-- base64. Rows of text no longer in the corpus are deleted after each load.
CREATE TABLE section_vectors (
    model TEXT NOT NULL,
    dimensions INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    scale REAL NOT NULL,
    codes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (model, dimensions, text_hash)
);
