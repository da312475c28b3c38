-- Share links: a read-only copy of a conversation's current branch up to a message, taken when the
-- link is made (later turns, edits, renames or deletions do not change it) and readable without a
-- token. Ids are 128 random bits (22 base64url characters), not time-ordered. A revoked link is
-- deleted; deleting the conversation ends its links.
create table share (
    id              varchar(22)  primary key,
    conversation_id uuid         not null references conversation (id) on delete cascade,
    owner           varchar(255) not null,
    message_id      uuid         not null,
    title           text,
    messages        jsonb        not null,
    created_at      timestamptz  not null,
    expires_at      timestamptz
);
create index share_conversation_idx on share (conversation_id, created_at);

-- Retention deletes unpinned conversations by their updated_at, a batch at a time.
create index conversation_retention_idx on conversation (updated_at) where not pinned;
