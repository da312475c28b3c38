// Markdown of model answers, rendered safely: marked turns it into HTML, DOMPurify removes
// everything active from that HTML (event handlers, scripts, javascript: and data: links, forms,
// styles, and the ids and names that could shadow the page's own elements). The page's Content-Security-Policy (no inline script, no remote image) is a second fence.
import {marked} from '/_static/marked/lib/marked.esm.js';
import DOMPurify from '/_static/dompurify/dist/purify.es.mjs';

marked.use({gfm: true, breaks: true});

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

// No ids or names either: an answer holding an element with the id of one of the page's own
// (the composer's, say) would shadow it for the page's scripts (DOM clobbering), and a name can
// clobber document properties. No form-related attributes, so nothing in an answer can submit.
const SANITIZE = {
  USE_PROFILES: {html: true},
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style', 'id', 'name', 'form', 'formaction', 'action'],
  SANITIZE_DOM: true,
};

/** Safe HTML for a Markdown text (the text of an answer, possibly partial while it streams). */
export function renderMarkdown(text) {
  return DOMPurify.sanitize(marked.parse(text ?? '', {async: false}), SANITIZE);
}
