// The page of a share link (/s/{share_id}): the shared copy of a conversation, read-only, with no
// token. Answers are rendered by the chat page's sanitizing Markdown renderer.
import {api} from './api.js';
import {renderMarkdown} from './markdown.js';

const SPEAKERS = {user: 'You:', assistant: 'Answer:', tool: 'Tool result:'};

function render(message) {
  const item = document.createElement('li');
  item.className = `message ${message.role}`;
  const speaker = document.createElement('span');
  speaker.className = 'visually-hidden';
  speaker.textContent = SPEAKERS[message.role] ?? '';
  const body = document.createElement('div');
  body.className = 'body';
  if (message.role === 'assistant') body.innerHTML = renderMarkdown(message.content);
  else if (message.role === 'tool') {
    const pre = document.createElement('pre');
    pre.className = 'tool-result';
    pre.textContent = message.content;
    body.append(pre);
  } else body.textContent = message.content;
  item.append(speaker, body);
  return item;
}

async function show() {
  const status = document.getElementById('share-status');
  const id = decodeURIComponent(location.pathname.split('/').pop() ?? '');
  try {
    const shared = await api.readShare(id);
    const title = shared.title || 'Shared conversation';
    document.getElementById('share-title').textContent = title;
    document.title = `${title} · stepchat`;
    document.getElementById('messages').append(...shared.messages.map(render));
    status.textContent = `Shared ${new Date(shared.created_at).toLocaleString()}`;
  } catch (error) {
    status.textContent = error.status === 404
      ? 'This link does not exist, was revoked or has expired.'
      : `The conversation could not be loaded: ${error.message}`;
  } finally {
    document.body.dataset.ready = 'true';
  }
}

show();
