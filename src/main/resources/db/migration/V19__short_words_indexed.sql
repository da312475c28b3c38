-- Search for two-character Chinese, Japanese and Korean words through an index of their own.
-- Trigrams cannot narrow a word under 3 characters (麒麟 has none), so a search for one walked the
-- caller's conversations and, for a word that is rare in a large history, read every message of the
-- caller (1.5 s for a million). In those scripts two characters are a common word, and a rare one
-- is an everyday search. Every pair of neighbouring characters of each run of such characters in a
-- message goes into a GIN index that starts with the owner (btree_gin, V17): a two-character word is
-- found among the caller's messages holding it, then checked with ILIKE as before. Latin words of
-- one or two letters ("up", "AI") are common words, which the walk finds at once; pairs of them
-- would make the index four times larger and slower to write. pg_bigm would index every pair, but
-- managed services rarely offer it.
--
-- On a large table the index is built once: minutes for ten million messages on the benchmark's
-- 2-core machine, during which messages cannot be written (docs/operations.md, "Upgrading").

-- The pairs of neighbouring characters in the runs of Chinese, Japanese or Korean characters of a
-- text (Han, kana, Hangul syllables); none for a text without such runs. Repeats are left to GIN,
-- which keeps each key of a row once.
create function search_cjk_pairs(t text) returns text[]
    language sql immutable strict parallel safe as $$
    select coalesce(array_agg(substr(run[1], i, 2)), '{}')
    from regexp_matches(t, '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]{2,}', 'g') run,
         generate_series(1, length(run[1]) - 1) i
$$;

-- Whether a text holds the pairs of a word (or of its LIKE pattern: neither % nor \ is such a
-- character): written so that PostgreSQL inlines it into search_cjk_pairs(content) @>
-- search_cjk_pairs(word), which the index below answers (the word's pairs are worked out once,
-- when the statement is planned). For a word of two such characters, the text holds the word
-- exactly when it holds its pair.
create function search_may_contain(t text, w text) returns boolean
    language sql immutable parallel safe as $$
    select search_cjk_pairs(t) @> search_cjk_pairs(w)
$$;

create index message_owner_cjk_pairs_idx on message using gin (owner, search_cjk_pairs(content));

-- Statistics of the indexed pairs now, not at autovacuum's next analyze (after a tenth of the table
-- has changed): without them PostgreSQL takes every pair for a rare one and reads all of a common
-- word's messages (1.3 s for 67,000 of them) instead of walking the conversations to the page.
analyze message;
