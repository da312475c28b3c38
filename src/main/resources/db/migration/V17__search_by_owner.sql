-- Search reads only the caller's rows, whatever the word (contract 1.2, "Fair sharing and hostile
-- input"). A message carries its conversation's owner, and the trigram index starts with it
-- (btree_gin, which ships with PostgreSQL like pg_trgm): a search's index scan intersects the
-- caller's entries with the word's trigrams, and a word too short for trigrams (under 3 characters)
-- reads the caller's entries alone instead of every owner's messages (PostgreSQL 13 and later skip
-- a column whose query matches everything when another column narrows the scan).
--
-- On a large table this migration rewrites every message once and builds the index again: 9 minutes
-- for ten million messages on the benchmark's 2-core machine, during which messages cannot be
-- written (docs/operations.md, "Upgrading").
create extension if not exists btree_gin;

alter table message add column owner varchar(255);
update message m set owner = c.owner from conversation c where c.id = m.conversation_id;
alter table message alter column owner set not null;

-- Set by the database on every insert, whoever writes the message: a conversation's owner never
-- changes, so the copy cannot go stale.
create function message_owner() returns trigger language plpgsql as $$
begin
    new.owner := (select owner from conversation where id = new.conversation_id);
    return new;
end $$;

create trigger message_owner before insert on message
    for each row execute function message_owner();

create index message_owner_content_trgm_idx on message using gin (owner, content gin_trgm_ops);
drop index message_content_trgm_idx;
