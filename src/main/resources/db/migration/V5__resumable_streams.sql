-- Resumable streams. A streamed answer exists (IN_PROGRESS) from its first chunk on, and its text
-- is flushed about once a second by the replica that runs the turn.
-- A stop asked for on any replica: the running replica sees it (NOTIFY, or this column at its
-- next flush) and cancels the upstream request.
alter table message add column stop_requested_at timestamptz;
-- How a streamed turn ended, for the `done` or `error` event sent again to a resumed stream:
-- the conversation totals after it and what the model was sent, or the problem it ended with.
alter table message add column stream_outcome jsonb;

-- The abandoned-turns job looks only at what is still running.
create index message_in_progress_idx on message (conversation_id) where status = 'IN_PROGRESS';
