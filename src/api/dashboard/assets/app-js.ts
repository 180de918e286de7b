/**
 * app.js: hash routing (#/, #/problems, #/http/routers, #/http/routers/<name>), the refresh loop and the
 * navigation. A refresh reloads the current view's data in place: the view object (and its controls) stays,
 * so a search being typed, the focused link and open sections survive. Refreshes never overlap: a new one
 * aborts the one in flight, and the next is scheduled only after the last has finished.
 */
export const APP_JS = String.raw`
import { SECTIONS, countsOf, getJson, sectionOf } from './api.js';
import { detailView } from './detail.js';
import { h, link } from './dom.js';
import { listView } from './lists.js';
import { overviewView, problemCount } from './overview.js';
import { problemsView } from './problems.js';

const main = document.getElementById('main');
const banner = document.getElementById('banner');
const updated = document.getElementById('updated');
const intervalSelect = document.getElementById('refresh-interval');
const STORAGE_KEY = 'berth.dashboard.refresh';

let view = null;
let timer = 0;
let inFlight = null;
let navigated = false;

export function parseRoute(hash) {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const params = Object.fromEntries(new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)));
  const parts = path.split('/').filter((part) => part !== '');
  if (parts.length === 0) return { kind: 'overview', params };
  if (parts.length === 1 && parts[0] === 'problems') return { kind: 'problems', params };
  const section = parts.length >= 2 ? sectionOf(parts[0] + '/' + parts[1]) : undefined;
  if (section && parts.length === 2) return { kind: 'list', section, params };
  if (section && parts.length === 3) {
    try {
      return { kind: 'detail', section, name: decodeURIComponent(parts[2]), params };
    } catch (err) {
      return { kind: 'unknown', params };
    }
  }
  return { kind: 'unknown', params };
}

function unknownView() {
  return {
    id: 'unknown',
    title: 'Not found',
    el: h('section', { class: 'view', 'aria-labelledby': 'view-title' }, h('h1', { id: 'view-title', tabindex: '-1' }, 'Page not found'),
      h('p', null, 'The dashboard has no such page. ', link('#/', 'Go to the overview'), '.')),
    async load() {},
  };
}

function createView(route) {
  if (route.kind === 'overview') return overviewView();
  if (route.kind === 'problems') return problemsView();
  if (route.kind === 'list') return listView(route.section, route.params);
  if (route.kind === 'detail') return detailView(route.section, route.name);
  return unknownView();
}

function routeId(route) {
  if (route.kind === 'list') return 'list:' + route.section.key;
  if (route.kind === 'detail') return 'detail:' + route.section.key + '/' + route.name;
  return route.kind;
}

function markNav(route) {
  const current = route.section ? route.section.key : route.kind;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.getAttribute('data-nav') === current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function updateNav(overview, route) {
  for (const group of document.querySelectorAll('[data-proto]')) {
    const proto = group.getAttribute('data-proto');
    const used = proto === 'http' || (route.section && route.section.proto === proto) ||
      SECTIONS.some((section) => section.proto === proto && countsOf(overview, section).total > 0);
    group.hidden = !used;
  }
  const count = problemCount(overview);
  const badge = document.getElementById('problem-count');
  badge.textContent = String(count);
  badge.hidden = count === 0;
  document.getElementById('problems-link').setAttribute('aria-label', count === 0 ? 'Problems (none)' : 'Problems (' + count + ')');
}

function setBanner(message) {
  if (banner.textContent !== message) banner.textContent = message;
  banner.hidden = message === '';
}

function intervalSeconds() {
  const value = Number.parseInt(intervalSelect.value, 10);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function schedule() {
  clearTimeout(timer);
  const seconds = intervalSeconds();
  if (seconds > 0 && !document.hidden) timer = setTimeout(refresh, seconds * 1000);
}

async function refresh() {
  clearTimeout(timer);
  if (inFlight) inFlight.abort();
  const mine = new AbortController();
  inFlight = mine;
  const route = parseRoute(location.hash);
  try {
    const { body: overview } = await getJson('/api/overview', mine.signal);
    updateNav(overview, route);
    await view.load({ signal: mine.signal, overview, reload: refresh });
    if (mine.signal.aborted) return;
    setBanner('');
    updated.textContent = 'Updated ' + new Date().toLocaleTimeString();
  } catch (err) {
    if (mine.signal.aborted) return;
    const reason = err && err.status === 503 ? 'Berth has not applied any configuration yet.' : 'Cannot load data from the API: ' + (err && err.message ? err.message : String(err));
    setBanner(reason + ' The dashboard keeps retrying; what is shown may be out of date.');
  } finally {
    if (inFlight === mine) {
      inFlight = null;
      schedule();
    }
  }
}

function onRoute() {
  const route = parseRoute(location.hash);
  const id = routeId(route);
  if (view && view.id === id) {
    if (view.update) view.update(route.params);
  } else {
    view = createView(route);
    main.replaceChildren(view.el);
    // Move focus to the new heading so keyboard and screen-reader users land on the page they asked for;
    // not on first load, where the browser's own focus order should start at the top.
    if (navigated) {
      const heading = main.querySelector('h1');
      if (heading) heading.focus();
    }
  }
  navigated = true;
  document.title = view.title + ' \u00B7 Berth';
  markNav(route);
  refresh();
}

function start() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved !== null && Array.from(intervalSelect.options).some((option) => option.value === saved)) intervalSelect.value = saved;
  } catch (err) {
    // Storage can be unavailable (privacy settings); the default interval applies.
  }
  intervalSelect.addEventListener('change', () => {
    try {
      localStorage.setItem(STORAGE_KEY, intervalSelect.value);
    } catch (err) {
      // Not persisted; the choice still applies to this page.
    }
    refresh();
  });
  document.getElementById('refresh-now').addEventListener('click', () => refresh());
  document.getElementById('skip').addEventListener('click', () => main.focus());
  document.addEventListener('visibilitychange', () => (document.hidden ? clearTimeout(timer) : refresh()));
  window.addEventListener('hashchange', onRoute);
  getJson('/api/version').then(({ body }) => {
    if (body && body.Version) document.getElementById('version').textContent = 'Berth ' + body.Version;
  }, () => {});
  onRoute();
}

start();
`;
