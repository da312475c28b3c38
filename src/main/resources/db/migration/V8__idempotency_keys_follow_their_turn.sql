-- A key whose request runs a turn names that turn (its conversation and the message holding the
-- turn's lease), set in the turn's first transaction: the key is in flight only while a live
-- replica holds that lease; once it does not (the turn ended, or its replica died), a repeat is
-- answered from what the turn stored. Keys of other requests keep the time lock (locked_until).
alter table idempotency_key add column turn_conversation_id uuid;
alter table idempotency_key add column turn_holder uuid;
