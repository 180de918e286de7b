/**
 * overview.js: counts per section (each count a link to the filtered list), a callout that leads to the
 * Problems view whenever anything is disabled or warns, entrypoints, providers, features and version.
 */
export const OVERVIEW_JS = String.raw`
import { SECTIONS, countsOf, getJson, listHref } from './api.js';
import { code, empty, h, link, panel, props, swap, tree } from './dom.js';

/** The number of elements with a status other than enabled, plus issues tied to no element. */
export function problemCount(overview) {
  let total = Array.isArray(overview && overview.issues) ? overview.issues.length : 0;
  for (const section of SECTIONS) {
    const counts = countsOf(overview, section);
    total += counts.warnings + counts.errors;
  }
  return total;
}

function plural(n, one, many) {
  return n + ' ' + (n === 1 ? one : many);
}

function card(section, counts) {
  const id = 'card-' + section.key.replace('/', '-');
  const line = (n, label, status) => h('li', null, n > 0 ? link(listHref(section, { status }), [h('span', { class: 'n' }, String(n)), ' ' + label])
    : [h('span', { class: 'n' }, '0'), ' ' + label]);
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('h3', { id }, link(listHref(section), section.title)),
    h('p', { class: 'total' }, String(counts.total)),
    h('ul', null,
      line(counts.total - counts.warnings - counts.errors, 'enabled', 'enabled'),
      line(counts.warnings, counts.warnings === 1 ? 'warning' : 'warnings', 'warning'),
      line(counts.errors, 'disabled', 'disabled')));
}

function callout(overview) {
  const count = problemCount(overview);
  if (count === 0) return h('div', { class: 'callout ok' }, h('p', null, 'No problems: every element Berth was given is enabled.'));
  return h('div', { class: 'callout' }, h('p', null, h('strong', null, plural(count, 'problem', 'problems')),
    ' in the configuration. ', link('#/problems', 'See what is wrong and where'), '.'));
}

function entryPointsTable(entryPoints) {
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) return empty('No entrypoints.');
  return h('div', { class: 'table-wrap' }, h('table', null,
    h('caption', { class: 'sr-only' }, 'Entrypoints'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Address'))),
    h('tbody', null, entryPoints.map((ep) => h('tr', null,
      h('th', { scope: 'row', 'data-label': 'Name' }, String(ep.name)),
      h('td', { 'data-label': 'Address' }, code(String(ep.address))))))));
}

function features(values) {
  const rows = Object.entries(values || {}).map(([key, value]) => [key,
    value === false || value === '' || value === null ? 'off' : typeof value === 'object' ? tree(value) : String(value)]);
  return rows.length === 0 ? empty('None reported.') : props(rows);
}

export function overviewView() {
  const body = h('div', null, h('p', { class: 'empty' }, 'Loading\u2026'));
  let last = '';
  return {
    id: 'overview',
    title: 'Overview',
    el: h('section', { class: 'view', 'aria-labelledby': 'view-title' }, h('h1', { id: 'view-title', tabindex: '-1' }, 'Overview'), body),
    async load(ctx) {
      const [entryPoints, version] = await Promise.all([getJson('/api/entrypoints', ctx.signal), getJson('/api/version', ctx.signal)]);
      const data = [ctx.overview, entryPoints.body, version.body];
      const signature = JSON.stringify(data);
      if (signature === last) return;
      last = signature;
      const overview = ctx.overview;
      const groups = ['http', 'tcp', 'udp'].map((proto) => {
        const sections = SECTIONS.filter((section) => section.proto === proto);
        const used = proto === 'http' || sections.some((section) => countsOf(overview, section).total > 0);
        return used ? [h('h2', null, proto.toUpperCase()), h('div', { class: 'cards' }, sections.map((section) => card(section, countsOf(overview, section))))] : null;
      });
      const v = version.body || {};
      const providers = Array.isArray(overview.providers) ? overview.providers : [];
      swap(body, [callout(overview), groups,
        panel('Entrypoints', entryPointsTable(entryPoints.body)),
        panel('Providers', providers.length === 0 ? empty('None.') : h('ul', { class: 'plain' }, providers.map((name) => h('li', null, String(name))))),
        panel('Features', features(overview.features)),
        panel('Version', props([['Version', v.Version], ['Codename', v.Codename], ['Started', v.startDate ? new Date(v.startDate).toLocaleString() : undefined]]))]);
    },
  };
}
`;
