-- Spending limits hold under parallel turns: a running turn reserves its worst case (the prompt
-- estimate plus max_tokens or the reply reserve, and that at the model's price) against its
-- owner's limits. A reservation counts while its turn holds its lease (holder, in its
-- conversation); once the turn ends (its usage then counts instead) or its replica dies, it no
-- longer does, and it is deleted at the owner's next turn or by the abandoned-turns job.
create table spending_reservation (
    holder          uuid           primary key,
    conversation_id uuid           not null,
    owner           varchar(255)   not null,
    tokens          bigint         not null,
    -- null when the model has no price (then no cost limit was in force)
    cost            numeric(24, 8),
    created_at      timestamptz    not null default now()
);
create index spending_reservation_owner_idx on spending_reservation (owner);
