// The AI SDK's own chat client against a running stepchat: its AbstractChat (what useChat wraps,
// here with a plain state) and DefaultChatTransport pointed at /conversations/{id}/chat.
// Usage: node ai-sdk-chat.mjs <base URL> <bearer token or ""> <expected answer> <expected slow answer>
// Prints one line per check and exits 1 on the first failure.
import { AbstractChat, DefaultChatTransport } from 'ai';

const [base, token, answer, slowAnswer] = process.argv.slice(2);
const auth = token ? { Authorization: `Bearer ${token}` } : {};

class PlainState {
  status = 'ready';
  error = undefined;
  messages = [];
  pushMessage = message => { this.messages = this.messages.concat(message); };
  popMessage = () => { this.messages = this.messages.slice(0, -1); };
  replaceMessage = (index, message) => {
    this.messages = [...this.messages.slice(0, index), message, ...this.messages.slice(index + 1)];
  };
  snapshot = thing => structuredClone(thing);
}

class Chat extends AbstractChat {
  constructor(init) {
    super({ ...init, state: new PlainState() });
  }
}

function check(what, ok, detail) {
  if (!ok) {
    console.log(`FAIL ${what}: ${detail ?? ''}`);
    process.exit(1);
  }
  console.log(`ok ${what}`);
}

async function api(method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...auth },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

const text = message =>
  (message?.parts ?? []).filter(part => part.type === 'text').map(part => part.text).join('');

function chat(id, conversation = id) {
  return new Chat({
    id,
    transport: new DefaultChatTransport({ api: `${base}/conversations/${conversation}/chat`, headers: auth }),
  });
}

const conversation = (await api('POST', '/conversations', {})).body.id;
const first = chat(conversation);

// a turn: the user's message in, the answer streamed into the chat's messages
await first.sendMessage({ text: 'Plan three days in Kyoto' });
check('sendMessage ends ready', first.status === 'ready', `${first.status} ${first.error}`);
check('two messages', first.messages.length === 2, JSON.stringify(first.messages));
check('the answer streamed in', text(first.messages[1]) === answer, text(first.messages[1]));
let stored = (await api('GET', `/conversations/${conversation}/messages`)).body.data;
check('stored as a turn', stored.length === 2 && stored[1].content === answer, JSON.stringify(stored));
check('the UI message is the stored answer', first.messages[1].id === stored[1].id, `${first.messages[1].id} ${stored[1].id}`);

// regenerate: the same user message answered again, a sibling in the conversation's tree
await first.regenerate();
check('regenerate ends ready', first.status === 'ready', `${first.status} ${first.error}`);
check('still two messages', first.messages.length === 2, JSON.stringify(first.messages));
check('the new answer streamed in', text(first.messages[1]) === answer, text(first.messages[1]));
const all = (await api('GET', `/conversations/${conversation}/messages?branch=all`)).body.data;
check('two answers stored', all.filter(m => m.role === 'assistant').length === 2, JSON.stringify(all));

// resume: a second client joins a running turn and reads it from its start
const slow = first.sendMessage({ text: 'slow: tell me more' });
for (let i = 0; i < 200; i++) {
  stored = (await api('GET', `/conversations/${conversation}/messages`)).body.data;
  if (stored.some(m => m.role === 'assistant' && m.status === 'in_progress')) break;
  await new Promise(resolve => setTimeout(resolve, 25));
}
check('a turn runs', stored.some(m => m.status === 'in_progress'), JSON.stringify(stored));
const second = chat(conversation);
await second.resumeStream();
check('resume ends ready', second.status === 'ready', `${second.status} ${second.error}`);
check('the resumed answer is whole', text(second.messages.at(-1)) === slowAnswer, text(second.messages.at(-1)));
await slow;
check('the sender got it too', text(first.messages.at(-1)) === slowAnswer, text(first.messages.at(-1)));

// resume with no turn running: 204, nothing changes
const third = chat(conversation);
await third.resumeStream();
check('nothing to resume', third.status === 'ready' && third.messages.length === 0, JSON.stringify(third.messages));

// a chat id that is not the conversation's is refused: the chat ends in error
const wrong = chat('not-this-conversation', conversation);
await wrong.sendMessage({ text: 'hello' });
check('a wrong id is an error', wrong.status === 'error' && /id/.test(String(wrong.error)), `${wrong.status} ${wrong.error}`);
console.log('all checks passed');
