-- Long conversations: a per-conversation prompt budget, and what each answer's request left out
-- and was estimated at (to calibrate the estimate of later turns with StepFun's real counts).
alter table conversation add column context_limit integer check (context_limit > 0);
alter table message add column messages_omitted integer;
alter table message add column estimated_prompt_tokens integer;
