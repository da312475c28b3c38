-- Branches: every message follows a parent (null for a first message); siblings share a parent.
-- Deleting a message deletes the subtree below it (the usage ledger keeps its tokens).
alter table message add column parent_id uuid references message (id) on delete cascade;
-- the siblings of a message, and the children met walking down a subtree
create index message_parent_id_idx on message (parent_id, id);

-- The last message of the branch being shown; the current branch is the path from the root to it.
alter table conversation add column current_message_id uuid;
-- A fork remembers where it came from.
alter table conversation add column forked_from_conversation_id uuid;
alter table conversation add column forked_from_message_id uuid;

-- Linear conversations become the equivalent tree: a user message follows the latest earlier
-- assistant message; an assistant message follows the latest earlier user message (the one it
-- answered: a failed user message is never answered, so it is passed over only when answered
-- ones follow it). Failed user messages thus become dead-end siblings of the next user message.
update message m set parent_id = (
    select p.id from message p
    where p.conversation_id = m.conversation_id and p.id < m.id and p.role = 'ASSISTANT'
    order by p.id desc limit 1)
where m.role = 'USER';

update message m set parent_id = (
    select p.id from message p
    where p.conversation_id = m.conversation_id and p.id < m.id and p.role = 'USER' and p.status <> 'FAILED'
    order by p.id desc limit 1)
where m.role = 'ASSISTANT';

-- the current message is the latest one
update conversation c set current_message_id = (
    select m.id from message m where m.conversation_id = c.id order by m.id desc limit 1);
