// The chat page: conversations, the current branch, streamed turns with stop and resume, edits,
// regenerations and sibling switching, models, usage and cost. Only the public API (api.js).
import {api, newKey, ProblemError, streamTurn, token} from './api.js';
import {renderMarkdown} from './markdown.js';

const $ = (id) => document.getElementById(id);

const state = {
  conversations: [],
  conversation: null,     // the open conversation
  messages: new Map(),    // its messages, every branch, by id
  currency: '',
  live: null,             // the turn being streamed: {answerId, text, element, stopRequested, done}
  retryTimer: null,
  attachments: [],        // images uploaded for the next message: {id, url, name}
  images: new Map(),      // object URLs of uploaded images shown in the thread, by file id
};

// ---------------------------------------------------------------- small helpers

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

const number = new Intl.NumberFormat();

function usageText(usage, withTurns) {
  if (!usage) return '';
  const parts = [`${number.format(usage.total_tokens)} tokens`];
  if (withTurns) parts.push(`${usage.turns} turn${usage.turns === 1 ? '' : 's'}`);
  if (usage.cost !== null && usage.cost !== undefined) parts.push(`${usage.cost} ${state.currency}`.trim());
  return parts.join(' · ');
}

function notice(text) {
  const box = $('notice');
  box.textContent = text ?? '';
  box.hidden = !text;
}

/** Shows a failed call: its problem detail; Retry-After as a countdown; 401 asks for a token. */
function showProblem(error) {
  if (!(error instanceof ProblemError)) {
    notice(`The service could not be reached (${error.message}).`);
    return;
  }
  if (error.status === 401) {
    askForToken(token.get() ? 'The token was refused: paste a valid one.' : null);
    return;
  }
  if (error.kind === 'turn-in-progress' || error.kind === 'idempotency-key-in-flight') {
    notice('A reply is still being written. Wait for it to finish, then send again.');
    return;
  }
  if ((error.status === 429 || error.status === 503) && error.retryAfter !== null) {
    countdown(error.message, error.retryAfter);
    return;
  }
  notice(error.message);
}

/** Blocks sending until Retry-After has passed, counting down. */
function countdown(problemDetail, seconds) {
  clearInterval(state.retryTimer);
  const detail = /[.!?]$/.test(problemDetail) ? problemDetail : `${problemDetail}.`;
  const until = Date.now() + seconds * 1000;
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(state.retryTimer);
      state.retryTimer = null;
      notice(`${detail} You can send again now.`);
      updateComposer();
      return;
    }
    notice(`${detail} Try again in ${left} s.`);
    updateComposer();
  };
  state.retryTimer = setInterval(tick, 250);
  tick();
}

function updateComposer() {
  const streaming = state.live !== null;
  $('send').disabled = streaming || state.retryTimer !== null;
  $('stop').hidden = !streaming;
  $('stop').disabled = streaming && state.live.stopRequested;
}

function askForToken(message) {
  $('token-panel').hidden = false;
  $('token-button').hidden = false;
  if (message) notice(message);
  $('token-input').focus();
}

// ---------------------------------------------------------------- conversations

async function loadConversations() {
  const q = $('search').value.trim();
  const params = new URLSearchParams({limit: '100'});
  if (q) params.set('q', q);
  if ($('show-archived').checked) params.set('archived', 'true');
  try {
    const page = await api.listConversations(params);
    // newest first from the service; pinned ones on top (a stable sort keeps the rest in order)
    state.conversations = q ? page.data : [...page.data].sort((a, b) => Number(b.pinned) - Number(a.pinned));
    $('token-panel').hidden = true;
    renderConversations();
  } catch (e) {
    showProblem(e);
  }
}

function renderConversations() {
  const list = $('conversation-list');
  list.replaceChildren(...state.conversations.map((c) => el('li', {},
    el('button', {
      type: 'button', 'data-id': c.id, 'aria-current': c.id === state.conversation?.id ? 'true' : 'false',
      onclick: () => openConversation(c.id, true),
    }, c.title || 'New conversation',
    c.pinned ? el('span', {class: 'badge', text: 'pinned'}) : null,
    c.archived ? el('span', {class: 'badge', text: 'archived'}) : null,
    c.match ? el('span', {class: 'snippet', text: c.match.snippet}) : null))));
  if (state.conversations.length === 0) {
    list.append(el('li', {class: 'hint', text: $('search').value.trim() ? 'Nothing found.' : 'No conversations yet.'}));
  }
}

function conversationIdFromUrl() {
  const match = /^#\/c\/([0-9a-f-]{36})$/.exec(location.hash);
  return match ? match[1] : null;
}

async function openConversation(id, focus) {
  if (state.live && state.conversation?.id !== id) state.live.abort.abort();
  try {
    const [conversation, messages] = await Promise.all([
      api.getConversation(id),
      api.allMessages(id),
    ]);
    state.conversation = conversation;
    state.messages = new Map(messages.map((m) => [m.id, m]));
  } catch (e) {
    if (e instanceof ProblemError && e.status === 404) {
      history.replaceState(null, '', '/');
      state.conversation = null;
      render();
      return;
    }
    showProblem(e);
    return;
  }
  if (location.hash !== `#/c/${id}`) history.replaceState(null, '', `#/c/${id}`);
  $('sidebar').classList.remove('open');
  $('toggle-list').setAttribute('aria-expanded', 'false');
  render();
  if (focus) $('composer-input').focus();
  followRunningAnswer();
}

/** An answer still being written (after a reload, or from another tab) is followed live. */
function followRunningAnswer() {
  if (state.live) return;
  const running = branch().find((m) => m.role === 'assistant' && m.status === 'in_progress');
  if (running) {
    runTurn({resume: {conversationId: state.conversation.id, messageId: running.id}}, running.id);
  } else if (branch().some((m) => m.role === 'user' && m.status === 'in_progress')) {
    // the turn runs but its answer has not started: look again shortly
    setTimeout(() => state.conversation && !state.live && openConversation(state.conversation.id), 1500);
  }
}

async function patchConversation(changes) {
  try {
    state.conversation = await api.updateConversation(state.conversation.id, changes);
    render();
    await loadConversations();
  } catch (e) {
    showProblem(e);
  }
}

async function newConversation() {
  const model = $('model-select').value;
  try {
    const created = await api.createConversation(model ? {model} : {});
    await openConversation(created.id, true);
    await loadConversations();
    return created;
  } catch (e) {
    showProblem(e);
    return null;
  }
}

async function exportConversation() {
  try {
    const url = URL.createObjectURL(await api.exportMarkdown(state.conversation.id));
    const link = el('a', {href: url, download: `${state.conversation.title || 'conversation'}.md`});
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (e) {
    showProblem(e);
  }
}

// ---------------------------------------------------------------- the branch and its messages

/** The messages from the root to the current message. */
function branch() {
  const path = [];
  let id = state.conversation?.current_message_id;
  while (id && state.messages.has(id)) {
    const message = state.messages.get(id);
    path.unshift(message);
    id = message.parent_id;
  }
  return path;
}

function siblingsOf(message) {
  return [...state.messages.values()]
    .filter((m) => m.parent_id === message.parent_id && m.role === message.role)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

function render() {
  const open = state.conversation !== null;
  $('conversation-head').hidden = !open;
  $('totals').textContent = open ? usageText(state.conversation.usage, true) : '';
  if (open) {
    const c = state.conversation;
    if (document.activeElement !== $('title-input')) $('title-input').value = c.title ?? '';
    selectModel(c.model);
    $('pin').textContent = c.pinned ? 'Unpin' : 'Pin';
    $('pin').setAttribute('aria-pressed', String(c.pinned));
    $('archive').textContent = c.archived ? 'Unarchive' : 'Archive';
    $('archive').setAttribute('aria-pressed', String(c.archived));
  }
  const items = open ? branch().map(renderMessage) : [];
  if (open && items.length === 0) items.push(el('li', {class: 'hint', text: 'Send a message to start.'}));
  $('messages').replaceChildren(...items);
  renderConversations();
  updateComposer();
  scrollToEnd();
}

function scrollToEnd() {
  const list = $('messages');
  list.scrollTop = list.scrollHeight;
}

const SPEAKERS = {user: 'You:', assistant: 'Answer:', tool: 'Tool result:'};

function renderMessage(message) {
  const body = el('div', {class: 'body'});
  if (message.role === 'assistant') body.innerHTML = renderMarkdown(message.content);
  else if (message.role === 'tool') body.append(el('pre', {class: 'tool-result', text: message.content}));
  else body.textContent = message.content;
  if (message.parts) body.append(images(message.parts));
  const item = el('li', {
    class: `message ${message.role} ${message.status}`, 'data-id': message.id, 'data-status': message.status,
    'aria-busy': message.role === 'assistant' && message.status === 'in_progress' ? 'true' : null,
  }, el('span', {class: 'visually-hidden', text: SPEAKERS[message.role] ?? ''}), body);
  if (message.tool_calls?.length) item.append(toolCalls(message));
  item.append(meta(message));
  if (message.role === 'assistant' && state.live?.answerId === message.id) state.live.element = item;
  return item;
}

// ---------------------------------------------------------------- images

/** The images of a message's parts, as thumbnails that open full size; a deleted one says so. */
function images(parts) {
  const list = el('ul', {class: 'images', 'aria-label': 'Images'});
  for (const part of parts) {
    if (part.type !== 'image_file') continue;
    if (part.deleted) {
      list.append(el('li', {class: 'image-deleted', text: 'Image deleted'}));
      continue;
    }
    list.append(el('li', {}, thumbnail(part.file_id, part.url ?? null, 'Image')));
  }
  return list;
}

/** A button showing an image (loaded with the token when no local URL is known) that opens it full size. */
function thumbnail(fileId, url, name) {
  const img = el('img', {alt: name});
  const button = el('button', {type: 'button', class: 'thumb', 'aria-label': `Open ${name} full size`,
    'data-file-id': fileId, onclick: () => viewImage(img.src, name)}, img);
  const known = url ?? state.images.get(fileId);
  if (known) {
    img.src = known;
  } else {
    api.fileContent(fileId).then((blob) => {
      const objectUrl = URL.createObjectURL(blob);
      state.images.set(fileId, objectUrl);
      img.src = objectUrl;
    }).catch(() => { img.alt = `${name} (not available)`; });
  }
  return button;
}

function viewImage(src, name) {
  if (!src) return;
  $('image-full').src = src;
  $('image-full').alt = name;
  $('image-viewer').showModal();
}

/** Uploads images for the next message (attach, paste, drop); a refused file is explained from its problem. */
async function attach(files) {
  for (const file of files) {
    try {
      const uploaded = await api.uploadFile(file);
      const url = URL.createObjectURL(file);
      state.images.set(uploaded.id, url);
      state.attachments.push({id: uploaded.id, url, name: uploaded.filename});
      notice(null);
    } catch (e) {
      if (e instanceof ProblemError && e.status !== 401) notice(`${file.name || 'The image'} was not attached: ${e.message}`);
      else showProblem(e);
    }
  }
  renderAttachments();
}

function renderAttachments() {
  const list = $('attachments');
  list.hidden = state.attachments.length === 0;
  list.replaceChildren(...state.attachments.map((a) => el('li', {},
    thumbnail(a.id, a.url, a.name),
    el('button', {type: 'button', class: 'remove', 'aria-label': `Remove ${a.name}`, onclick: () => {
      state.attachments = state.attachments.filter((other) => other !== a);
      renderAttachments();
    }}, '×'))));
}

/** Arguments as the model wrote them, indented when they are JSON. */
function formatArguments(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * The functions an answer called: name and arguments; while they wait for their results (the
 * answer ends the branch), a box per call for the user to answer it, and Send results.
 */
function toolCalls(message) {
  const pending = message.id === state.conversation?.current_message_id && message.status === 'completed';
  const boxes = [];
  const calls = el('div', {class: 'tool-calls'}, ...message.tool_calls.map((call) => {
    const part = el('div', {class: 'tool-call', 'data-call-id': call.id},
      el('div', {class: 'tool-name', text: `Calls ${call.function.name}`}),
      el('pre', {class: 'tool-arguments', text: formatArguments(call.function.arguments)}));
    if (pending) {
      const box = el('textarea', {rows: '2', class: 'tool-answer', 'aria-label': `Result of ${call.function.name}`});
      boxes.push({call, box});
      part.append(box);
    }
    return part;
  }));
  if (pending) {
    calls.append(el('button', {type: 'button', class: 'send-results', disabled: state.live !== null,
      onclick: () => sendResults(message.id, boxes.map(({call, box}) => ({tool_call_id: call.id, content: box.value})))},
    'Send results'));
  }
  return calls;
}

function meta(message) {
  const parts = el('div', {class: 'meta'});
  const siblings = siblingsOf(message);
  if (siblings.length > 1) {
    const index = siblings.findIndex((m) => m.id === message.id);
    const what = message.role === 'user' ? 'version' : 'answer';
    parts.append(
      el('button', {type: 'button', class: 'previous', 'aria-label': `Previous ${what}`, disabled: index === 0 || state.live !== null,
        onclick: () => switchTo(siblings[index - 1])}, '‹'),
      el('span', {class: 'position', text: `${index + 1} / ${siblings.length}`}),
      el('button', {type: 'button', class: 'next', 'aria-label': `Next ${what}`, disabled: index === siblings.length - 1 || state.live !== null,
        onclick: () => switchTo(siblings[index + 1])}, '›'));
  }
  if (message.role === 'assistant') {
    if (message.model) parts.append(el('span', {text: message.model}));
    if (message.usage) parts.append(el('span', {class: 'usage', text: usageText(message.usage, false)}));
    if (message.status === 'incomplete') {
      parts.append(el('span', {class: 'badge', text: message.finish_reason === 'stopped' ? 'stopped' : 'incomplete'}));
    }
    parts.append(el('button', {type: 'button', class: 'regenerate', disabled: state.live !== null,
      onclick: () => regenerate(message.parent_id)}, 'Regenerate'));
  } else {
    if (message.status === 'failed') {
      parts.append(el('span', {class: 'error', text: `Not answered: ${message.error?.detail ?? message.error?.title ?? 'failed'}`}),
        el('button', {type: 'button', class: 'retry', disabled: state.live !== null, onclick: () => regenerate(message.id)}, 'Retry'));
    }
    parts.append(el('button', {type: 'button', class: 'edit', disabled: state.live !== null,
      onclick: (event) => edit(message, event.target.closest('li'))}, 'Edit'));
  }
  return parts;
}

async function switchTo(sibling) {
  await patchConversation({current_message_id: sibling.id});
}

function edit(message, item) {
  const area = el('textarea', {rows: '3', 'aria-label': 'Edited message'});
  area.value = message.content;
  // an edit keeps the message's images (those not deleted since)
  const kept = (message.parts ?? []).filter((p) => p.type === 'image_file' && !p.deleted).map((p) => p.file_id);
  const save = () => {
    const text = area.value.trim();
    if (text || kept.length) send(text, message.parent_id, false, kept);
  };
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); save(); }
    if (event.key === 'Escape') render();
  });
  item.replaceChildren(area, el('div', {class: 'meta'},
    el('button', {type: 'button', onclick: save}, 'Send edit'),
    el('button', {type: 'button', onclick: () => render()}, 'Cancel')));
  area.focus();
}

// ---------------------------------------------------------------- turns

/**
 * Sends a message on the current branch, or after `parentId` (an edit: null for a first message).
 * The composer keeps its text until the service has taken the turn.
 */
async function send(content, parentId, fromComposer = false, keptImages = []) {
  if (state.live || state.retryTimer) return;
  if (!state.conversation && !(await newConversation())) return;
  const attached = fromComposer ? state.attachments.map((a) => a.id) : keptImages;
  const parts = attached.length === 0 ? null : [
    ...(content ? [{type: 'text', text: content}] : []),
    ...attached.map((id) => ({type: 'image_file', file_id: id})),
  ];
  const body = {content: parts ?? content, stream: true};
  if (parentId !== undefined) body.parent_id = parentId;
  const pending = {id: 'pending', role: 'user', status: 'in_progress', content, parent_id: parentId, fromComposer,
    parts: parts && parts.map((p, i) => ({...p, url: p.file_id ? state.images.get(p.file_id) : undefined, index: i}))};
  await runTurn({start: api.sendTurn(state.conversation.id, body, {'Idempotency-Key': newKey()})}, null, pending);
}

/** Answers an answer's tool calls with the user's results: the model then goes on. */
async function sendResults(answerId, results) {
  if (state.live || state.retryTimer) return;
  const body = {tool_results: results, parent_id: answerId, stream: true};
  const pending = {id: 'pending', role: 'tool', status: 'in_progress', content: results.map((r) => r.content).join('\n'),
    parent_id: answerId};
  await runTurn({start: api.sendTurn(state.conversation.id, body, {'Idempotency-Key': newKey()})}, null, pending);
}

async function regenerate(userMessageId) {
  if (state.live || state.retryTimer) return;
  await runTurn({start: api.regenerateTurn(state.conversation.id, userMessageId, {stream: true},
    {'Idempotency-Key': newKey()})}, null);
}

/** Streams one turn into the page: text as it comes, Stop, resume on a dropped connection. */
async function runTurn(request, answerId, pendingUserMessage) {
  const conversationId = state.conversation.id;
  const live = {answerId, text: '', element: null, stopRequested: false, abort: new AbortController()};
  state.live = live;
  if (request.start) notice(null);
  if (answerId) {
    // following an answer already running: its events from the start, so each character once
    state.messages.get(answerId).content = '';
    render();
  } else {
    const list = $('messages');
    list.querySelector('.hint')?.remove();
    if (pendingUserMessage) list.append(renderMessage(pendingUserMessage));
    live.element = el('li', {class: 'message assistant in_progress', 'aria-busy': 'true'}, el('div', {class: 'body'}));
    list.append(live.element);
    updateComposer();
    scrollToEnd();
  }
  let scheduled = false;
  const paint = () => {
    scheduled = false;
    if (!live.element) return;
    live.element.querySelector('.body').innerHTML = renderMarkdown(live.text);
    scrollToEnd();
  };
  try {
    const end = await streamTurn({
      ...request,
      signal: live.abort.signal,
      onStart: (data) => {
        live.answerId = data.message.id;
        if (pendingUserMessage?.fromComposer && $('composer-input').value.trim() === pendingUserMessage.content) {
          $('composer-input').value = '';
        }
        if (pendingUserMessage?.parts && pendingUserMessage.fromComposer) {
          state.attachments = [];
          renderAttachments();
        }
        state.messages.set(data.user_message.id, data.user_message);
        state.messages.set(data.message.id, {...data.message, content: ''});
        state.conversation.current_message_id = data.message.id;
        live.text = '';
        render();
        if (live.stopRequested) stop();
      },
      onDelta: (data) => {
        if (data.tool_calls) {
          live.calls ??= [];
          for (const piece of data.tool_calls) {
            if (piece.function?.name) live.calls[piece.index] = piece.function.name;
          }
          if (!live.text && live.element) {
            live.element.querySelector('.body').textContent = `Calling ${live.calls.filter(Boolean).join(', ')}…`;
          }
        }
        if (data.content === undefined) return;
        live.text += data.content;
        const message = state.messages.get(live.answerId);
        if (message) message.content = live.text;
        if (!scheduled) { scheduled = true; requestAnimationFrame(paint); }
      },
    });
    if (end.event === 'error') showProblem(new ProblemError(end.data, end.data.status ?? 500, null));
  } catch (e) {
    if (!live.abort.signal.aborted) showProblem(e);
  } finally {
    if (state.live === live) state.live = null;
  }
  if (state.conversation?.id === conversationId) await openConversation(conversationId);
  await loadConversations();
}

async function stop() {
  const live = state.live;
  if (!live) return;
  live.stopRequested = true;
  updateComposer();
  if (!live.answerId) return;                 // sent as soon as the answer has an id (start)
  try {
    await api.stopAnswer(state.conversation.id, live.answerId);
  } catch (e) {
    showProblem(e);
  }
}

// ---------------------------------------------------------------- models

async function loadModels() {
  let models = [];
  try {
    models = (await api.listModels()).data;
    state.currency = models.find((m) => m.pricing)?.pricing.currency ?? '';
  } catch {
    // no picker then: the conversation's model still shows once one is open
  }
  $('model-select').replaceChildren(...models.map((m) => el('option', {value: m.id},
    m.display_name ? `${m.display_name} (${m.id})` : m.id)));
}

function selectModel(id) {
  const select = $('model-select');
  if (id && ![...select.options].some((o) => o.value === id)) select.append(el('option', {value: id}, id));
  if (id) select.value = id;
}

// ---------------------------------------------------------------- wiring

function wire() {
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('composer-input').value.trim();
    if (text || state.attachments.length) send(text, undefined, true);
  });
  $('attach').addEventListener('click', () => $('attach-input').click());
  $('attach-input').addEventListener('change', async () => {
    await attach([...$('attach-input').files]);
    $('attach-input').value = '';
  });
  $('composer-input').addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length) {
      event.preventDefault();
      attach(files);
    }
  });
  const composer = $('composer');
  composer.addEventListener('dragover', (event) => {
    if ([...event.dataTransfer.types].includes('Files')) {
      event.preventDefault();
      composer.classList.add('dragging');
    }
  });
  composer.addEventListener('dragleave', () => composer.classList.remove('dragging'));
  composer.addEventListener('drop', (event) => {
    composer.classList.remove('dragging');
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length) {
      event.preventDefault();
      attach(files);
    }
  });
  $('image-viewer').addEventListener('click', (event) => {
    if (event.target === $('image-viewer')) $('image-viewer').close();
  });
  $('composer-input').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('stop').addEventListener('click', stop);
  $('new-conversation').addEventListener('click', () => newConversation());
  let searchTimer;
  $('search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(loadConversations, 250);
  });
  $('show-archived').addEventListener('change', loadConversations);
  $('title-input').addEventListener('change', () => patchConversation({title: $('title-input').value.trim() || null}));
  $('title-input').addEventListener('keydown', (event) => { if (event.key === 'Enter') event.target.blur(); });
  $('model-select').addEventListener('change', () => {
    if (state.conversation) patchConversation({model: $('model-select').value});
  });
  $('pin').addEventListener('click', () => patchConversation({pinned: !state.conversation.pinned}));
  $('archive').addEventListener('click', () => patchConversation({archived: !state.conversation.archived}));
  $('export').addEventListener('click', exportConversation);
  $('delete').addEventListener('click', async () => {
    if (!confirm(`Delete "${state.conversation.title || 'this conversation'}" and all its messages?`)) return;
    try {
      await api.deleteConversation(state.conversation.id);
      state.conversation = null;
      history.replaceState(null, '', '/');
      render();
      await loadConversations();
    } catch (e) {
      showProblem(e);
    }
  });
  $('toggle-list').addEventListener('click', () => {
    const open = $('sidebar').classList.toggle('open');
    $('toggle-list').setAttribute('aria-expanded', String(open));
  });
  $('token-button').addEventListener('click', () => askForToken(null));
  $('token-panel').addEventListener('submit', async (event) => {
    event.preventDefault();
    token.set($('token-input').value.trim());
    $('token-input').value = '';
    notice(null);
    await start();
  });
  window.addEventListener('hashchange', () => {
    const id = conversationIdFromUrl();
    if (id && id !== state.conversation?.id) openConversation(id, true);
  });
}

async function start() {
  await Promise.all([loadModels(), loadConversations()]);
  const id = conversationIdFromUrl();
  if (id) await openConversation(id, true);
  else render();
  document.body.dataset.ready = 'true';
}

wire();
start();
