// The service's public HTTP API as the chat page uses it: JSON calls, problems, and turns streamed
// with fetch (EventSource can neither POST nor send Authorization) that resume where they broke.

const TOKEN_KEY = 'stepchat.token';

/** The bearer token pasted by the user: this tab only (sessionStorage), never in a URL. */
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => value ? sessionStorage.setItem(TOKEN_KEY, value) : sessionStorage.removeItem(TOKEN_KEY),
};

/** An RFC 9457 problem the service answered with, plus the response's Retry-After in seconds. */
export class ProblemError extends Error {
  constructor(problem, status, retryAfter) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
    this.kind = (problem.type || '').split('/').pop();   // stable: switch on it, not on detail
    this.retryAfter = retryAfter;
  }
}

function headers(extra = {}) {
  const all = {Accept: 'application/json', ...extra};
  const bearer = token.get();
  if (bearer) all.Authorization = `Bearer ${bearer}`;
  return all;
}

async function problemOf(response) {
  let problem;
  try {
    problem = await response.json();
  } catch {
    problem = {title: response.statusText || 'Request failed', status: response.status};
  }
  const seconds = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  return new ProblemError(problem, response.status, Number.isFinite(seconds) ? seconds : null);
}

/** A JSON call; resolves to the body (null for 204), rejects with a ProblemError. */
async function call(method, path, body) {
  const init = {method, headers: headers(body === undefined ? {} : {'Content-Type': 'application/json'})};
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  if (!response.ok) throw await problemOf(response);
  return response.status === 204 ? null : response.json();
}

/** A body to save as a file (an export), with the caller's token; rejects with a ProblemError. */
async function download(path) {
  const response = await fetch(path, {headers: headers({Accept: '*/*'})});
  if (!response.ok) throw await problemOf(response);
  return response.blob();
}

/** A file uploaded as multipart/form-data (part "file"); resolves to the File, rejects with a ProblemError. */
async function upload(path, file) {
  const form = new FormData();
  form.append('file', file, file.name || 'pasted-image');
  const response = await fetch(path, {method: 'POST', headers: headers(), body: form});
  if (!response.ok) throw await problemOf(response);
  return response.json();
}

/** Every item of a list endpoint, page after page. */
async function all(path) {
  const items = [];
  let after = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await call('GET', `${path}${separator}limit=100${after ? `&after=${after}` : ''}`);
    items.push(...page.data);
    after = page.has_more ? page.last_id : null;
  } while (after);
  return items;
}

// ---------------------------------------------------------------- the API's operations: every URL lives here

const conversationUrl = (id) => `/conversations/${encodeURIComponent(id)}`;
const messageUrl = (conversationId, messageId) =>
  `${conversationUrl(conversationId)}/messages/${encodeURIComponent(messageId)}`;
const eventsOf = (conversationId, messageId) => `${messageUrl(conversationId, messageId)}/events`;

/** The operations of the API the page uses, by name; the turns that stream go through streamTurn. */
export const api = {
  listConversations: (params) => call('GET', `/conversations?${params}`),
  createConversation: (body) => call('POST', '/conversations', body),
  getConversation: (id) => call('GET', conversationUrl(id)),
  updateConversation: (id, changes) => call('PATCH', conversationUrl(id), changes),
  deleteConversation: (id) => call('DELETE', conversationUrl(id)),
  exportMarkdown: (id) => download(`${conversationUrl(id)}/export?format=markdown`),
  allMessages: (id) => all(`${conversationUrl(id)}/messages?branch=all`),
  stopAnswer: (conversationId, messageId) => call('POST', `${messageUrl(conversationId, messageId)}/stop`),
  listModels: () => call('GET', '/models'),
  uploadFile: (file) => upload('/files', file),
  /** An uploaded image's bytes (with the caller's token, which an <img src> cannot send). */
  fileContent: (id) => download(`/files/${encodeURIComponent(id)}/content`),
  /** A share link's copy (no token needed). */
  readShare: (shareId) => call('GET', `/shared/${encodeURIComponent(shareId)}`),
  /** The start of a streamed turn (for streamTurn): a new user message. */
  sendTurn: (conversationId, body, headers) => ({path: `${conversationUrl(conversationId)}/messages`, body, headers}),
  /** The start of a streamed turn (for streamTurn): a new answer to a user message. */
  regenerateTurn: (conversationId, userMessageId, body, headers) =>
    ({path: `${messageUrl(conversationId, userMessageId)}/regenerate`, body, headers}),
};

/** A random UUID, also where crypto.randomUUID is missing (pages served over plain http). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Server-sent events of a response body: {id, event, data} with data parsed as JSON. */
async function* events(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = {id: null, event: 'message', data: ''};
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue;                        // a comment (keep-alive)
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
        else if (field === 'data') event.data += (event.data ? '\n' : '') + value;
      }
      if (event.data) yield {...event, data: JSON.parse(event.data)};
    }
  }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one streamed turn to its end and resolves to the final event ('done' or 'error').
 * `start` is a POST (send or regenerate) or null to follow an answer already running, given by
 * `resume: {conversationId, messageId}`. Handlers: onStart(data), onDelta(data). A dropped
 * connection is resumed with Last-Event-ID, so every character arrives once. A problem before the
 * stream starts rejects with a ProblemError.
 */
export async function streamTurn({start, resume, onStart, onDelta, signal}) {
  let lastId = null;
  let url = start ? start.path : eventsOf(resume.conversationId, resume.messageId);
  let init = start
    ? {method: 'POST', body: JSON.stringify(start.body), headers: {'Content-Type': 'application/json', ...start.headers}}
    : {method: 'GET', headers: {}};
  let failures = 0;
  for (;;) {
    const requestHeaders = headers({...init.headers, Accept: 'text/event-stream'});
    if (lastId) requestHeaders['Last-Event-ID'] = lastId;
    let response;
    try {
      response = await fetch(url, {...init, headers: requestHeaders, signal});
    } catch (e) {
      if (signal?.aborted) throw e;
      if (init.method === 'POST' && !lastId && !start.headers?.['Idempotency-Key']) throw e;
      await pause(Math.min(1000 * 2 ** failures++, 10000));   // the network went away: try again
      continue;
    }
    if (!response.ok) throw await problemOf(response);
    try {
      for await (const event of events(response)) {
        failures = 0;
        if (event.id) lastId = event.id;
        if (event.event === 'start') {
          // from now on this answer is resumed by its id, whatever happened to the POST
          url = eventsOf(event.data.message.conversation_id, event.data.message.id);
          init = {method: 'GET', headers: {}};
          onStart?.(event.data);
        } else if (event.event === 'delta') {
          onDelta?.(event.data);
        } else if (event.event === 'done' || event.event === 'error') {
          return event;
        }
      }
    } catch (e) {
      if (signal?.aborted) throw e;
    }
    await pause(Math.min(500 * 2 ** failures++, 10000));       // cut short: resume after the last event
  }
}
