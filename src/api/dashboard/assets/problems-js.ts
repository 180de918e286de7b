/**
 * problems.js: Berth's answer to "why is my route missing?". Traefik logs a bad label and drops the container;
 * Berth disables only the broken element and this view lists every element that is disabled or warns, each
 * issue with where it came from (label key and container, file:line), its message and its stable code, plus
 * the issues tied to no element (a YAML syntax error, an unknown top-level key) from /api/overview.
 */
export const PROBLEMS_JS = String.raw`
import { SECTIONS, countsOf, elementHref, getAll } from './api.js';
import { badge, empty, h, issueList, link, swap } from './dom.js';

function plural(n, one, many) {
  return n + ' ' + (n === 1 ? one : many);
}

function article(entry, index) {
  const { section, item } = entry;
  const id = 'problem-' + index;
  const hasDetail = (Array.isArray(item.issues) && item.issues.length > 0) || (Array.isArray(item.error) && item.error.length > 0);
  return h('article', { class: 'problem', 'aria-labelledby': id },
    h('header', null, badge(item.status), h('span', { class: 'kind' }, section.one),
      h('h3', { id }, link(elementHref(section, item.name), item.name)),
      h('span', { class: 'provider' }, 'from provider ' + item.provider)),
    hasDetail ? issueList(item.issues, item.error) : empty('Berth reported no detail for this element.'));
}

function group(title, intro, entries, offset) {
  if (entries.length === 0) return null;
  const id = 'group-' + title.toLowerCase();
  return h('section', { 'aria-labelledby': id },
    h('h2', { id }, title + ' (' + entries.length + ')'), h('p', null, intro),
    entries.map((entry, i) => article(entry, offset + i)));
}

async function fetchProblems(overview, signal) {
  const jobs = [];
  for (const section of SECTIONS) {
    const counts = countsOf(overview, section);
    for (const [status, n] of [['disabled', counts.errors], ['warning', counts.warnings]]) {
      if (n > 0) jobs.push(getAll(section, { status }, signal).then((items) => items.map((item) => ({ section, item }))));
    }
  }
  return (await Promise.all(jobs)).flat();
}

export function problemsView() {
  const summary = h('p', { class: 'summary', id: 'problems-summary' });
  const body = h('div', null, h('p', { class: 'empty' }, 'Loading\u2026'));
  let last = '';
  return {
    id: 'problems',
    title: 'Problems',
    el: h('section', { class: 'view', 'aria-labelledby': 'view-title' }, h('h1', { id: 'view-title', tabindex: '-1' }, 'Problems'), summary, body),
    async load(ctx) {
      const found = await fetchProblems(ctx.overview, ctx.signal);
      const issues = Array.isArray(ctx.overview.issues) ? ctx.overview.issues : [];
      const signature = JSON.stringify([found.map(({ section, item }) => [section.key, item]), issues]);
      if (signature === last) return;
      last = signature;
      const disabled = found.filter(({ item }) => item.status === 'disabled');
      const warnings = found.filter(({ item }) => item.status !== 'disabled');
      summary.textContent = plural(disabled.length, 'element is', 'elements are') + ' disabled, ' + plural(warnings.length, 'has', 'have') +
        ' warnings, and ' + plural(issues.length, 'issue belongs', 'issues belong') + ' to no element.';
      if (found.length === 0 && issues.length === 0) {
        swap(body, h('div', { class: 'callout ok' }, h('p', null, 'No problems: every router, service and middleware is enabled.')));
        return;
      }
      swap(body, [
        issues.length === 0 ? null : h('section', { 'aria-labelledby': 'group-config' },
          h('h2', { id: 'group-config' }, 'Configuration issues (' + issues.length + ')'),
          h('p', null, 'Problems tied to no single element, such as a file that is not valid YAML or an unknown key.'),
          issueList(issues)),
        group('Disabled', 'These elements serve no traffic until fixed. Routers that depend on them are disabled too.', disabled, 0),
        group('Warnings', 'These elements serve traffic, but not entirely as written.', warnings, disabled.length),
      ]);
    },
  };
}
`;
