/**
 * detail.js: the page of one element. Why it is disabled (or warns) comes first, above everything else: that
 * is the question a user opening a broken router has. Related elements (a router's service and middlewares,
 * the routers using a service) are fetched from their own endpoints so their status is current too.
 */
export const DETAIL_JS = String.raw`
import { elementPath, getAll, getOptional, listHref, sibling } from './api.js';
import { middlewareParts, routerParts, serviceParts } from './detail-parts.js';
import { code, h, issueList, link, rawJson, swap } from './dom.js';

async function routerRelated(section, item, signal) {
  const services = sibling(section, 'services');
  const middlewares = sibling(section, 'middlewares');
  const names = middlewares && Array.isArray(item.middlewares) ? item.middlewares : [];
  const [service, chain] = await Promise.all([
    item.service ? getOptional(elementPath(services, item.service), signal) : Promise.resolve(null),
    Promise.all(names.map(async (name) => ({ name, item: await getOptional(elementPath(middlewares, name), signal) }))),
  ]);
  return { service, middlewares: chain };
}

// usedBy mixes routers with services (weighted parents) or middlewares (chains); the routers filtered by this
// element's name tell which is which, so each name links to the right detail page.
async function usersRelated(section, item, signal) {
  if (!Array.isArray(item.usedBy) || item.usedBy.length === 0) return { routers: [] };
  const filter = section.kind === 'services' ? { serviceName: item.name } : { middlewareName: item.name };
  const routers = await getAll(sibling(section, 'routers'), filter, signal);
  return { routers: routers.map((router) => router.name) };
}

const KINDS = {
  routers: [routerRelated, routerParts],
  services: [usersRelated, serviceParts],
  middlewares: [usersRelated, middlewareParts],
};

function problemBox(section, item) {
  const count = (Array.isArray(item.issues) ? item.issues.length : 0) + (Array.isArray(item.error) ? item.error.length : 0);
  if (item.status === 'enabled' && count === 0) return null;
  const disabled = item.status === 'disabled';
  return h('section', { class: 'problem-box' + (disabled ? '' : ' warn'), 'aria-labelledby': 'why' },
    h('h2', { id: 'why' }, disabled ? 'Why this ' + section.one + ' is disabled' : 'Warnings'),
    h('p', null, disabled ? 'It serves no traffic until the problems below are fixed.' : 'It serves traffic, but Berth found problems.'),
    issueList(item.issues, item.error));
}

function notFound(section, name) {
  return h('section', { class: 'problem-box', 'aria-labelledby': 'why' },
    h('h2', { id: 'why' }, 'Not found'),
    h('p', null, 'Berth has no ' + section.one + ' named ', code(name), ' right now. It may have been removed, or its provider could not publish it: see ',
      link('#/problems', 'Problems'), '.'));
}

export function detailView(section, name) {
  const [related, parts] = KINDS[section.kind];
  const body = h('div', { class: 'detail' }, h('p', { class: 'empty' }, 'Loading\u2026'));
  const el = h('section', { class: 'view', 'aria-labelledby': 'view-title' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, link(listHref(section), 'All ' + section.title)),
    h('h1', { id: 'view-title', tabindex: '-1' }, h('span', { class: 'kind' }, section.one), name),
    body);
  let last = '';
  return {
    id: 'detail:' + section.key + '/' + name,
    title: name,
    el,
    async load(ctx) {
      const item = await getOptional(elementPath(section, name), ctx.signal);
      const extra = item === null ? null : await related(section, item, ctx.signal);
      const signature = JSON.stringify([item, extra]);
      if (signature === last) return;
      last = signature;
      swap(body, item === null ? notFound(section, name) : [problemBox(section, item), parts(section, item, extra), rawJson(item)]);
    },
  };
}
`;
