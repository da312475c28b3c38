#!/usr/bin/env bash
# Search at scale: 1,000,000 messages over 1,000 owners (10 conversations of 100 messages each),
# in the machine's PostgreSQL 15 (database stepchat_search, made afresh with the project's
# migrations), then EXPLAIN (ANALYZE, BUFFERS) of one owner's search as the service sends it, with
# a three-letter word and a two-letter one, before and after the owner filter in the subquery.
# About 2 minutes. Loopback only; needs root (or the postgres user) for psql.
set -euo pipefail
cd "$(dirname "$0")/../.."
psql_() { su postgres -c "psql -v ON_ERROR_STOP=1 -q $*"; }
pg_ctlcluster 15 main start 2>/dev/null || true
psql_ "-c 'drop database if exists stepchat_search' -c 'create database stepchat_search'"
for f in src/main/resources/db/migration/V*.sql; do
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
explain() {  # $1: label, $2: word, $3: the subquery's extra condition
  echo "== $1 (word '$2')"
  su postgres -c "psql -q -d stepchat_search" <<SQL
explain (analyze, buffers, costs off, timing off, summary on)
select c.id from conversation c
where c.owner = 'owner-500' and c.archived = false
  and (c.title ilike '%$2%' or c.id in (select m.conversation_id from message m $3 m.content ilike '%$2%'))
order by case when c.title ilike '%$2%' then 1 else 0 end desc, c.id desc limit 21;
SQL
}
for word in abc ab; do
  explain "before: every owner's messages" "$word" "where"
  explain "after: the caller's messages" "$word" "join conversation mine on mine.id = m.conversation_id where mine.owner = 'owner-500' and"
done
