-- Cost: each answered turn's cost, computed with exact decimals from the model's price when the
-- turn ran, kept with the answer and in the ledger, and summed in SQL into the conversation.
-- Null where the model had no configured price; totals then say they are incomplete.
alter table message add column cost numeric(24, 8);
alter table usage_record add column cost numeric(24, 8);
alter table conversation add column cost numeric(24, 8) not null default 0;
alter table conversation add column cost_complete boolean not null default true;
-- turns answered before costs were kept have none: their conversations' costs are incomplete
update conversation set cost_complete = false where turns > 0;

-- Reports read a caller's ledger rows by time: an index-only scan of this index.
create index usage_record_owner_time_idx on usage_record (owner, created_at)
    include (model, conversation_id, prompt_tokens, completion_tokens, total_tokens, cached_tokens, cost);

-- Spending limits: what each owner used per UTC day, kept in the transaction that writes the
-- ledger row, so that a turn's check reads at most 31 rows.
create table owner_usage_day (
    owner         varchar(255) not null,
    day           date         not null,
    total_tokens  bigint       not null default 0,
    cost          numeric(24, 8) not null default 0,
    primary key (owner, day)
);

-- Per-owner overrides of the configured limits; a row with a null value lifts that limit.
create table owner_limit (
    owner         varchar(255) not null,
    time_window   varchar(8)   not null check (time_window in ('day', 'month')),
    unit          varchar(8)   not null check (unit in ('tokens', 'cost')),
    max_value     numeric(24, 8),
    primary key (owner, time_window, unit)
);

-- A conversation may cap its own total tokens.
alter table conversation add column max_total_tokens bigint check (max_total_tokens > 0);
