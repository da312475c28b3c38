-- One turn at a time per conversation, across replicas: a lease on the conversation row.
-- It is taken and released with single conditional updates, and expires by itself (database
-- clock) when the instance holding it dies.
alter table conversation add column turn_lease_until timestamptz;
alter table conversation add column turn_lease_holder uuid;

-- Idempotency-Key: the first response to a key is kept and replayed to repeats of the request.
create table idempotency_key (
    owner             varchar(255) not null,
    idempotency_key   varchar(255) not null,
    -- what the key was first used for: method, path and a hash of the body
    fingerprint       varchar(128) not null,
    -- null while the first request is still running
    status            integer,
    content_type      varchar(128),
    location          text,
    retry_after       varchar(32),
    body              text,
    created_at        timestamptz  not null,
    -- a request still running after this is taken to be dead (its instance stopped)
    locked_until      timestamptz  not null,
    primary key (owner, idempotency_key)
);

-- the purge job deletes by age
create index idempotency_key_created_idx on idempotency_key (created_at);
