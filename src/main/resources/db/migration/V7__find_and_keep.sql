-- Finding and keeping conversations: pinned and archived, and search over titles and message
-- text with trigram indexes (pg_trgm ships with PostgreSQL and every managed PostgreSQL offers it):
-- ILIKE '%...%' finds words in any language and substrings in languages written without spaces,
-- Chinese included, from three characters on through the index.
create extension if not exists pg_trgm;

alter table conversation add column pinned boolean not null default false;
alter table conversation add column archived boolean not null default false;

create index message_content_trgm_idx on message using gin (content gin_trgm_ops);
create index conversation_title_trgm_idx on conversation using gin (title gin_trgm_ops);
