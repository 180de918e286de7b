/**
 * lists.js: one list view per section, with search, status filter and paging done by the API's own query
 * parameters (`search`, `status`, `page`, `per_page`, next page in X-Next-Page), reflected in the hash so a
 * filtered list is linkable. The controls are built once per view; a refresh only replaces the results.
 */
export const LISTS_JS = String.raw`
import { ApiError, elementHref, getJson, listHref, listPath, sibling } from './api.js';
import { badge, code, h, inlineList, link, swap } from './dom.js';

const PER_PAGE = 25;
const FILTERS = [['', 'All'], ['enabled', 'Enabled'], ['warning', 'Warnings'], ['disabled', 'Disabled']];

function statusCell(item) {
  const count = Array.isArray(item.issues) ? item.issues.length : Array.isArray(item.error) ? item.error.length : 0;
  return [badge(item.status), count > 0 ? h('span', { class: 'note' }, count === 1 ? '1 issue' : count + ' issues') : null];
}

function serviceCell(section, name) {
  if (!name) return h('span', { class: 'empty' }, 'none');
  return link(elementHref(sibling(section, 'services'), name), name);
}

function servers(item) {
  const lb = item.loadBalancer;
  if (!lb || !Array.isArray(lb.servers)) return h('span', { class: 'empty' }, '\u2014');
  if (item.serverStatus && typeof item.serverStatus === 'object') {
    const states = Object.values(item.serverStatus);
    const up = states.filter((state) => state === 'UP').length;
    return up + ' of ' + states.length + ' up';
  }
  return lb.servers.length === 1 ? '1 server' : lb.servers.length + ' servers';
}

const STATUS = { label: 'Status', cell: (item) => statusCell(item) };
const NAME = { label: 'Name', head: true, cell: (item, section) => link(elementHref(section, item.name), item.name) };
const PROVIDER = { label: 'Provider', cell: (item) => item.provider };
const RULE = { label: 'Rule', cell: (item) => (item.rule ? code(item.rule) : h('span', { class: 'empty' }, 'none')) };
const ENTRYPOINTS = { label: 'Entrypoints', cell: (item) => inlineList(item.using && item.using.length ? item.using : item.entryPoints) };
const SERVICE = { label: 'Service', cell: (item, section) => serviceCell(section, item.service) };
const TLS = { label: 'TLS', cell: (item) => (item.tls ? (item.tls.passthrough ? 'passthrough' : 'yes') : 'no') };
const TYPE = { label: 'Type', cell: (item) => item.type || '\u2014' };
const SERVERS = { label: 'Servers', cell: (item) => servers(item) };
const PRIORITY = { label: 'Priority', cell: (item) => item.priorityStr || (item.priority !== undefined ? String(item.priority) : '\u2014') };

const COLUMNS = {
  routers: { http: [STATUS, NAME, RULE, ENTRYPOINTS, TLS, SERVICE, PRIORITY, PROVIDER], tcp: [STATUS, NAME, RULE, ENTRYPOINTS, TLS, SERVICE, PROVIDER], udp: [STATUS, NAME, ENTRYPOINTS, SERVICE, PROVIDER] },
  services: { http: [STATUS, NAME, TYPE, SERVERS, PROVIDER], tcp: [STATUS, NAME, TYPE, SERVERS, PROVIDER], udp: [STATUS, NAME, TYPE, SERVERS, PROVIDER] },
  middlewares: { http: [STATUS, NAME, TYPE, PROVIDER], tcp: [STATUS, NAME, TYPE, PROVIDER] },
};

function table(section, items) {
  const columns = COLUMNS[section.kind][section.proto];
  return h('div', { class: 'table-wrap' }, h('table', null,
    h('caption', { class: 'sr-only' }, section.title),
    h('thead', null, h('tr', null, columns.map((column) => h('th', { scope: 'col' }, column.label)))),
    h('tbody', null, items.map((item) => h('tr', { class: 'row-' + item.status },
      columns.map((column) => h(column.head ? 'th' : 'td', { scope: column.head ? 'row' : null, 'data-label': column.label }, column.cell(item, section))))))));
}

function normalize(params) {
  const page = Math.max(1, Number.parseInt(params.page || '1', 10) || 1);
  const perPage = Math.min(500, Math.max(1, Number.parseInt(params.per_page || String(PER_PAGE), 10) || PER_PAGE));
  const status = FILTERS.some(([value]) => value === params.status) ? params.status : '';
  return { search: params.search || '', status, page, per_page: perPage === PER_PAGE ? '' : perPage };
}

function field(label, control) {
  return h('label', { class: 'field', for: control.id }, label, control);
}

/** The list view of one section; params are the hash's query parameters. */
export function listView(section, params) {
  let state = normalize(params);
  let reload = () => {};
  let last = '';
  let debounce = 0;
  const search = h('input', { type: 'search', id: 'list-search', name: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'name, rule, service\u2026' });
  const status = h('select', { id: 'list-status', name: 'status' }, FILTERS.map(([value, label]) => h('option', { value }, label)));
  const summary = h('p', { class: 'summary', id: 'list-summary', role: 'status' });
  const results = h('div', { class: 'results' });
  search.value = state.search;
  status.value = state.status;

  // Filters replace the history entry (typing is not navigation) and ask the app to reload at once. A
  // debounced search firing after the user has left this view must not rewrite the new view's hash.
  function apply(change) {
    if (!el.isConnected) return;
    state = Object.assign({}, state, change, { page: 1 });
    history.replaceState(null, '', listHref(section, pageless(state)));
    reload();
  }
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => apply({ search: search.value.trim() }), 250);
  });
  status.addEventListener('change', () => apply({ status: status.value }));

  const el = h('section', { class: 'view', 'aria-labelledby': 'view-title' },
    h('h1', { id: 'view-title', tabindex: '-1' }, section.title),
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter ' + section.title, onsubmit: (event) => event.preventDefault() },
      field('Search', search), field('Status', status)),
    summary, results);

  return {
    id: 'list:' + section.key,
    title: section.title,
    el,
    update(params) {
      state = normalize(params);
      if (document.activeElement !== search) search.value = state.search;
      status.value = state.status;
    },
    async load(ctx) {
      reload = ctx.reload;
      const query = Object.assign({}, state, { per_page: state.per_page || PER_PAGE });
      let answer;
      try {
        answer = await getJson(listPath(section, query), ctx.signal);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 400)) throw err;
        answer = { body: null, nextPage: 1 };
      }
      const signature = JSON.stringify([state, answer]);
      if (signature === last) return;
      last = signature;
      render(answer);
    },
  };

  function render({ body, nextPage }) {
    const items = Array.isArray(body) ? body : [];
    const filtered = state.search !== '' || state.status !== '';
    summary.textContent = body === null ? 'Page ' + state.page + ' is past the end of the list.'
      : items.length === 0 ? (filtered ? 'No ' + section.title.toLowerCase() + ' match these filters.' : 'There are no ' + section.title.toLowerCase() + '.')
      : 'Page ' + state.page + ': ' + items.length + (items.length === 1 ? ' element' : ' elements') + (filtered ? ' matching the filters' : '') + '.';
    const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' },
      state.page > 1 ? link(listHref(section, Object.assign({}, state, { page: state.page - 1 })), 'Previous page') : null,
      nextPage > state.page ? link(listHref(section, Object.assign({}, state, { page: nextPage })), 'Next page') : null);
    swap(results, [items.length > 0 ? table(section, items) : null, pager.childNodes.length > 0 ? pager : null]);
  }
}

function pageless(state) {
  return Object.assign({}, state, { page: '' });
}
`;
