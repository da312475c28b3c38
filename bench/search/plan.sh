#!/usr/bin/env bash
# Search at scale: 1,000,000 messages over 1,000 owners (10 conversations of 100 messages each),
# in the machine's PostgreSQL 15 (database stepchat_search, made afresh with the project's
# migrations), then EXPLAIN (ANALYZE, BUFFERS) of one owner's search for messages as the service
# sends it (the list of conversations found by their messages), with a three-letter word, a
# two-letter one and a two-character Chinese one: every scan it makes is of the caller's rows.
# About 6 minutes. Loopback only; needs root (or the postgres user) for psql.
set -euo pipefail
cd "$(dirname "$0")/../.."
psql_() { su postgres -c "psql -v ON_ERROR_STOP=1 -q $*"; }
pg_ctlcluster 15 main start 2>/dev/null || true
psql_ "-c 'drop database if exists stepchat_search' -c 'create database stepchat_search'"
for f in $(ls src/main/resources/db/migration/V*.sql | sort -V); do
  su postgres -c "psql -v ON_ERROR_STOP=1 -q -d stepchat_search -f $PWD/$f" >/dev/null
done
su postgres -c "psql -q -d stepchat_search" <<'SQL'
insert into conversation (id, owner, title, model, metadata, created_at, updated_at, message_count, prompt_tokens,
                          completion_tokens, total_tokens, cached_tokens, turns, version)
select gen_random_uuid(), 'owner-' || (i / 10), 'Conversation ' || i, 'step-3.5-flash', '{}', now(), now(), 100,
       0, 0, 0, 0, 0, 0
from generate_series(0, 9999) i;
insert into message (id, conversation_id, role, content, status, created_at)
select gen_random_uuid(), c.id, case when j % 2 = 0 then 'USER' else 'ASSISTANT' end,
       'message ' || j || ' of ' || c.title || ': ' || md5(c.id::text || j) || ' lorem ipsum dolor sit amet', 'COMPLETED', now()
from conversation c, generate_series(1, 100) j;
analyze;
SQL
explain() {  # $1: label, $2: word, $3: the message condition as the service writes it for such words
  echo "== $1 (word '$2')"
  su postgres -c "psql -q -d stepchat_search" <<SQL
set plan_cache_mode = force_custom_plan;
explain (analyze, buffers, costs off, timing off, summary on)
select c.id from conversation c
where c.owner between 'owner-500' and 'owner-500' and c.archived = false
  and (c.title is null or not (c.title ilike '%$2%')) and $3
order by c.owner desc, c.id desc limit 21;
SQL
}
explain "3 characters or more: the (owner, content) trigram index" abc \
  "c.id in (select m.conversation_id from message m where m.owner = 'owner-500' and m.content ilike '%abc%')"
explain "under 3 characters: each of the caller's conversations asked" ab \
  "exists (select 1 from message m where m.conversation_id = c.id and m.owner = 'owner-500' and m.content ilike '%ab%' order by m.id offset 0)"
explain "two Chinese, Japanese or Korean characters: the (owner, pairs) index" 天气 \
  "c.id in (select m.conversation_id from message m where m.owner = 'owner-500' and search_may_contain(m.content, '%天气%') and position('天气' in m.content) <> 0)"
