-- Per-owner admission, across replicas. Turns in flight are the owner's live turn leases; this
-- index finds them without reading the owner's other conversations.
create index conversation_live_turn_idx on conversation (owner) where turn_lease_until is not null;

-- Turns per minute (when that limit is on): when each of the owner's turns of the last minute
-- started. Older rows are deleted as the next turn of that owner is admitted.
create table owner_turn_start (
    owner      varchar(255) not null,
    started_at timestamptz  not null
);
create index owner_turn_start_idx on owner_turn_start (owner, started_at);
