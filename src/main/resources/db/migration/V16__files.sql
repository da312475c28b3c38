-- Attachments and images (contract 1.2). A file's metadata lives here whatever stores its bytes:
-- `storage` names the store that holds them (postgres: the file_chunk rows; s3: an object), so a
-- change of stepchat.files.store leaves older files readable.
create table stored_file (
    id           uuid primary key,
    owner        varchar(255) not null,
    filename     varchar(255) not null,
    content_type varchar(64)  not null,
    bytes        bigint       not null,
    sha256       varchar(64)  not null,
    storage      varchar(16)  not null,
    created_at   timestamptz  not null,
    -- DELETE /files/{id}: the bytes are gone, the row stays until no message names the file
    deleted_at   timestamptz
);
create index stored_file_owner_idx on stored_file (owner, id);
create index stored_file_created_idx on stored_file (created_at);

-- The PostgreSQL store: a file's bytes in chunks of 256 KiB, each written and read by a statement
-- of its own (no connection is held while a client sends or reads a file).
create table file_chunk (
    file_id    uuid        not null,
    seq        integer     not null,
    data       bytea       not null,
    created_at timestamptz not null default now(),
    primary key (file_id, seq)
);
alter table file_chunk alter column data set storage external; -- images are compressed already

-- A message's parts as sent: [{"type":"text","text"}, {"type":"image_file","fileId",...}] (as Hibernate's
-- JSON mapper writes MessagePart); null for text only.
alter table message add column parts jsonb;

-- Which messages use which files, kept by the trigger below from message.parts on every insert and
-- update (turns, forks): a file is unused when no row names it; a conversation's deletion removes its rows.
create table message_file (
    message_id uuid not null references message (id) on delete cascade,
    file_id    uuid not null,
    primary key (message_id, file_id)
);
create index message_file_file_idx on message_file (file_id);

create function message_file_links() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        delete from message_file where message_id = new.id;
    end if;
    insert into message_file (message_id, file_id)
    select distinct new.id, (part ->> 'fileId')::uuid
    from jsonb_array_elements(new.parts) part
    where part ->> 'type' = 'image_file' and part ->> 'fileId' is not null
    on conflict do nothing;
    return null;
end $$;

create trigger message_file_links after insert or update of parts on message
    for each row when (new.parts is not null) execute function message_file_links();
