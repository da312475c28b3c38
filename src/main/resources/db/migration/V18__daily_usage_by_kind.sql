-- GET /usage by day reads the daily totals instead of the ledger: a year is at most 366 rows
-- however many turns it held (the ledger's rows are read only for the partial days at the edges of
-- the range, and for reports by model or conversation). The daily totals carry what the report
-- shows: every token kind, the turns, and how many of them had a cost.
alter table owner_usage_day
    add column prompt_tokens     bigint not null default 0,
    add column completion_tokens bigint not null default 0,
    add column cached_tokens     bigint not null default 0,
    add column turns             bigint not null default 0,
    add column priced_turns      bigint not null default 0;

-- Rebuilt from the ledger, the record of every turn (days from before the daily totals existed
-- included), so that report and ledger agree from the first day.
delete from owner_usage_day;
insert into owner_usage_day (owner, day, prompt_tokens, completion_tokens, total_tokens, cached_tokens, cost,
                             turns, priced_turns)
select owner, (created_at at time zone 'UTC')::date, sum(prompt_tokens), sum(completion_tokens),
       sum(total_tokens), sum(cached_tokens), coalesce(sum(cost), 0), count(*), count(cost)
from usage_record
group by 1, 2;
