-- Drop-in calls (POST /v1/chat/completions, OpenAI's wire format): a client that keeps its own
-- history calls StepFun through the service. Nothing is stored as a conversation, but the owner's
-- limits and the ledger apply. A running call is a leased row here (renewed by the replica serving
-- it, deleted when it ends; a dead replica's calls stop counting when their lease expires),
-- counted with the owner's turns in flight; its spending reservation and its ledger row have no
-- conversation.
create table drop_in_call (
    id     uuid         primary key,
    owner  varchar(255) not null,
    until  timestamptz  not null
);
create index drop_in_call_owner_idx on drop_in_call (owner);

alter table spending_reservation alter column conversation_id drop not null;
alter table usage_record alter column conversation_id drop not null;
