-- Tool calling (contract 1.2): an answer may call functions (tool_calls, as the model wrote them),
-- the client answers each call with a tool message (role TOOL, tool_call_id), and a conversation
-- may carry the tools its turns offer (as given: function tools and StepFun's built-in ones).
alter table message drop constraint message_role_check;
alter table message add constraint message_role_check check (role in ('USER', 'ASSISTANT', 'TOOL'));
alter table message add column tool_calls jsonb;
alter table message add column tool_call_id varchar(64);
alter table conversation add column tools jsonb;
