-- The audit log: every administrator's action, appended; the API has no method that changes or
-- deletes an entry (an erasure replaces the erased owner in actor and target by its pseudonym).
create table audit_entry (
    id      uuid         primary key,
    at      timestamptz  not null,
    actor   varchar(255) not null,
    action  varchar(64)  not null,
    target  varchar(255) not null,
    detail  jsonb        not null
);
create index audit_entry_at_idx on audit_entry (at, id);

-- Administrators' jobs (an owner's erasure), run by whichever replica claims them: a running job
-- whose lease expired (its replica died) is claimed again and goes on where the data says.
create table admin_job (
    id           uuid         primary key,
    kind         varchar(32)  not null,
    target       varchar(255) not null,
    status       varchar(16)  not null check (status in ('pending', 'running', 'succeeded', 'failed')),
    detail       jsonb        not null default '{}',
    error        text,
    lease_until  timestamptz,
    created_at   timestamptz  not null,
    finished_at  timestamptz
);
create index admin_job_open_idx on admin_job (created_at) where status in ('pending', 'running');
