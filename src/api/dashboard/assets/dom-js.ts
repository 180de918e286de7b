/**
 * dom.js: the only way the dashboard makes markup. Every value from the API (element names, rules, label keys,
 * messages: all user input) becomes a Text node or an attribute value set with setAttribute, never HTML. The
 * Content-Security-Policy adds Trusted Types, so an accidental `innerHTML = string` would throw instead of run.
 */
export const DOM_JS = String.raw`
const STATUS = {
  enabled: ['Enabled', '\u2713'],
  warning: ['Warning', '!'],
  disabled: ['Disabled', '\u2715'],
};

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
}

/** Creates an element: props are attributes, except text, class, and on* (listeners; only functions). */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (!key.startsWith('on')) el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** A link inside the app; data-key lets a refresh put the keyboard focus back on the same link. */
export function link(href, label, props) {
  return h('a', Object.assign({ href, 'data-key': 'a:' + href }, props || {}), label);
}

export function code(value) {
  return h('code', null, String(value));
}

export function statusName(status) {
  return STATUS[status] ? status : 'disabled';
}

/** A status badge: a word and a symbol, so colour is never the only signal. */
export function badge(status) {
  const known = statusName(status);
  const [label, symbol] = STATUS[known];
  return h('span', { class: 'badge st-' + known }, h('span', { 'aria-hidden': 'true' }, symbol), label);
}

export function serverBadge(state) {
  if (state === 'UP') return h('span', { class: 'badge srv-up' }, h('span', { 'aria-hidden': 'true' }, '\u25B2'), 'UP');
  if (state === 'DOWN') return h('span', { class: 'badge srv-down' }, h('span', { 'aria-hidden': 'true' }, '\u25BC'), 'DOWN');
  return h('span', { class: 'badge srv-unknown' }, 'not checked');
}

/** A definition list of [label, value] rows; rows whose value is undefined, null or '' are left out. */
export function props(rows) {
  const dl = h('dl', { class: 'props' });
  for (const [label, value] of rows) {
    if (value === undefined || value === null || value === '') continue;
    dl.append(h('dt', null, label), h('dd', null, value));
  }
  return dl;
}

export function inlineList(values) {
  if (!Array.isArray(values) || values.length === 0) return h('span', { class: 'empty' }, 'none');
  return h('ul', { class: 'inline-list' }, values.map((value) => h('li', null, value)));
}

export function panel(title, ...children) {
  const id = 'p-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), children);
}

export function empty(message) {
  return h('p', { class: 'empty' }, message);
}

/**
 * Issues as Berth reports them: severity, message, where it came from (label key and container, file:line) and
 * the stable code. An element that only has Traefik-style error strings shows those instead.
 */
export function issueList(issues, errors) {
  const list = h('ul', { class: 'issues' });
  if (Array.isArray(issues) && issues.length > 0) {
    for (const issue of issues) {
      const severity = issue && issue.severity === 'warning' ? 'warning' : 'error';
      list.append(h('li', { class: 'issue sev-' + severity },
        h('span', { class: 'sev' }, severity === 'warning' ? 'Warning:' : 'Error:'),
        h('span', { class: 'msg' }, String(issue && issue.message)),
        h('span', { class: 'meta' }, 'Where: ', h('code', { class: 'where' }, String(issue && issue.where)),
          ' \u00B7 Code: ', h('code', { class: 'code' }, String(issue && issue.code)))));
    }
  } else if (Array.isArray(errors)) {
    for (const message of errors) list.append(h('li', { class: 'issue sev-error' }, h('span', { class: 'msg' }, String(message))));
  }
  return list;
}

/** Collapsed raw JSON of an element, for everything the views do not lay out. */
export function rawJson(value) {
  return h('details', { class: 'raw', 'data-key': 'raw' }, h('summary', null, 'Raw JSON'),
    h('pre', null, h('code', null, JSON.stringify(value, null, 2))));
}

/** Any JSON value as nested definition lists (middleware options, TLS settings, health checks). */
export function tree(value) {
  if (Array.isArray(value)) {
    if (value.length === 0) return h('span', { class: 'empty' }, 'none');
    if (value.every((item) => item === null || typeof item !== 'object')) return inlineList(value.map(String));
    return h('ol', { class: 'chain' }, value.map((item) => h('li', null, tree(item))));
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return h('span', { class: 'empty' }, 'empty');
    return h('dl', { class: 'tree' }, keys.map((key) => [h('dt', null, key), h('dd', null, tree(value[key]))]));
  }
  return value === null || value === undefined ? h('span', { class: 'empty' }, 'none') : code(String(value));
}

function keyOf(el) {
  return el && el.getAttribute ? el.getAttribute('data-key') || (el.id ? 'id:' + el.id : null) : null;
}

function find(container, key) {
  if (key.startsWith('id:')) return document.getElementById(key.slice(3));
  return container.querySelector('[data-key="' + CSS.escape(key) + '"]');
}

/**
 * Replaces a container's content after a refresh while keeping what the user was doing: the focused link or
 * control and which <details> were open are found again by their data-key in the new content.
 */
export function swap(container, nodes) {
  const active = document.activeElement;
  const focusKey = active && container.contains(active) ? keyOf(active) : null;
  const open = Array.from(container.querySelectorAll('details[open][data-key]'), (el) => el.getAttribute('data-key'));
  container.replaceChildren();
  append(container, [nodes]);
  for (const key of open) {
    const details = find(container, key);
    if (details) details.open = true;
  }
  if (focusKey) {
    const again = find(container, focusKey);
    if (again) again.focus({ preventScroll: true });
  }
}
`;
