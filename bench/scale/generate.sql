-- Ten million messages for the scale scenario (M), written straight into a database the service
-- has migrated: 1,000 owners and 100,000 conversations. The owner "local" (the caller while
-- authentication is off) is the heaviest: 10,000 conversations, ten of them one branch of 10,000
-- messages; the 90,000 others belong to 999 owners. Every other conversation holds 99 messages
-- (a user message, then answers and questions in turn), in English or Chinese. A year of the
-- heaviest owner's usage in the ledger (200,000 rows). Ids are made to grow along each path, as
-- UUIDv7 do. Run as a superuser (psql -v ON_ERROR_STOP=1 -f): foreign keys and triggers are off
-- while it writes (so it sets each message's owner itself), the search indexes are built once at
-- the end. About 15 minutes on 2 cores.
\timing on
set session_replication_role = replica;
set maintenance_work_mem = '1GB';
set synchronous_commit = off;
drop index if exists message_owner_content_trgm_idx;
drop index if exists message_owner_cjk_pairs_idx;

-- conversation c (0..99,999): id 00000000-0000-7000-8000-<c>; 0..9,999 belong to "local",
-- of which 0..9 are the deep ones
create or replace function pg_temp.cid(c bigint) returns uuid language sql immutable as
  $$ select ('00000000-0000-7000-8000-' || lpad(to_hex(c), 12, '0'))::uuid $$;
-- message k (1..) of conversation c: ids grow with k within a conversation, and with c
create or replace function pg_temp.mid(c bigint, k bigint) returns uuid language sql immutable as $$
  select (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7000-9000-' || h)::uuid
  from (select lpad(to_hex(c * 100000 + k), 12, '0') h) hex $$;
create or replace function pg_temp.owner(c bigint) returns text language sql immutable as
  $$ select case when c < 10000 then 'local' else 'owner-' || lpad(((c - 10000) % 999)::text, 3, '0') end $$;
create or replace function pg_temp.words(c bigint, k bigint) returns text language sql immutable as $$
  select case
    -- the rare words: one message in 100,000
    when (c * 100000 + k) % 100003 = 0 then 'A note on the xylophone and the marimba, tuned by ear.'
    when (c * 100000 + k) % 100019 = 0 then '麒麟出现在古老的传说里，象征着吉祥。'
    when c % 2 = 0 then (array[
      'Plan three days in Kyoto with temples in the morning and food markets at night.',
      'The quarterly report shows revenue up eight percent, driven by the new subscription tier.',
      'Explain how a hash join works and when the planner prefers it to a nested loop.',
      'Write a short poem about autumn rain on a tin roof.',
      'Summarise the meeting: the launch moves to March and the team hires two engineers.',
      'What is the difference between a process and a thread, with an example in Java?',
      'Translate this paragraph into French and keep the formal tone of the original.',
      'Compare the trade-offs of PostgreSQL and a document store for an inventory system.'])[1 + ((c * 7 + k) % 8)::int] || ' ' || k
    else (array[
      '请帮我规划一次三天的京都旅行，早上看寺庙，晚上逛市场。',
      '今天的天气很好，我们去公园散步吧。',
      '解释一下哈希连接的原理，以及优化器什么时候会选择它。',
      '写一首关于秋雨落在铁皮屋顶上的短诗。',
      '总结会议内容：发布推迟到三月，团队将招聘两名工程师。',
      '进程和线程有什么区别？请用Java举例说明。',
      '把这段话翻译成法语，并保持原文的正式语气。',
      '比较一下关系型数据库和文档数据库在库存系统中的优缺点。'])[1 + ((c * 7 + k) % 8)::int] || ' ' || k
  end $$;

insert into conversation (id, owner, title, model, metadata, created_at, updated_at, message_count,
                          prompt_tokens, completion_tokens, total_tokens, cached_tokens, turns, version,
                          current_message_id)
select pg_temp.cid(c),
       pg_temp.owner(c),
       case when c % 2 = 0 then 'Conversation ' || c else '对话 ' || c end,
       'bench-instant', '{}'::jsonb,
       timestamptz '2026-01-01' + c * interval '5 minutes', timestamptz '2026-01-01' + c * interval '5 minutes',
       case when c < 10 then 10000 else 99 end, 0, 0, 0, 0, 0, 0,
       pg_temp.mid(c, case when c < 10 then 10000 else 99 end)
from generate_series(0, 99999) c;

insert into message (id, conversation_id, owner, parent_id, role, content, status, model, prompt_tokens,
                     completion_tokens, total_tokens, cached_tokens, created_at)
select pg_temp.mid(c, k), pg_temp.cid(c), pg_temp.owner(c), case when k > 1 then pg_temp.mid(c, k - 1) end,
       case when k % 2 = 1 then 'USER' else 'ASSISTANT' end,
       pg_temp.words(c, k), 'COMPLETED',
       case when k % 2 = 0 then 'bench-instant' end,
       case when k % 2 = 0 then 40 + k::int end, case when k % 2 = 0 then 30 end,
       case when k % 2 = 0 then 70 + k::int end, case when k % 2 = 0 then 0 end,
       timestamptz '2026-01-01' + c * interval '5 minutes' + k * interval '1 second'
from generate_series(0, 99999) c
cross join lateral generate_series(1, case when c < 10 then 10000 else 99 end) k;

-- a year of the heaviest owner's usage: 200,000 answers, about 550 a day
insert into usage_record (id, conversation_id, message_id, owner, model, prompt_tokens, completion_tokens,
                          total_tokens, cached_tokens, created_at)
select gen_random_uuid(), pg_temp.cid(i % 10000), null, 'local', 'bench-instant', 100, 50, 150, 0,
       timestamptz '2026-01-01' + (i * interval '157 seconds')
from generate_series(0, 199999) i;
-- and its daily totals, as the ledger's writer keeps them (rebuilt from the whole ledger: the
-- service's first turn, before this script, already wrote today's)
delete from owner_usage_day where owner = 'local';
insert into owner_usage_day (owner, day, prompt_tokens, completion_tokens, total_tokens, cached_tokens, cost, turns,
                             priced_turns)
select owner, (created_at at time zone 'UTC')::date, sum(prompt_tokens), sum(completion_tokens), sum(total_tokens),
       sum(cached_tokens), coalesce(sum(cost), 0), count(*), count(cost)
from usage_record where owner = 'local' group by 1, 2;

create index message_owner_content_trgm_idx on message using gin (owner, content gin_trgm_ops);
create index message_owner_cjk_pairs_idx on message using gin (owner, search_cjk_pairs(content));
set session_replication_role = origin;
vacuum analyze;
select count(*) as messages from message;
