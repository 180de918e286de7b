/**
 * detail-parts.js: what a detail view shows for each kind of element. A router shows its rule, entrypoints,
 * TLS, its middleware chain (each linked, with its status) and its service with the servers' UP/DOWN; services
 * and middlewares show their settings and who uses them.
 */
export const DETAIL_PARTS_JS = String.raw`
import { elementHref, sibling } from './api.js';
import { badge, code, empty, h, inlineList, link, panel, props, serverBadge, tree } from './dom.js';

function note(text) {
  return h('span', { class: 'note' }, text);
}

function tlsNode(tls) {
  if (!tls) return 'no';
  if (Object.keys(tls).length === 0) return 'yes, default options';
  return tree(tls);
}

function sameList(a, b) {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((value, i) => value === b[i]);
}

function missing(name, what) {
  return [code(name), ' ', note('not found: the API lists no ' + what + ' by this name')];
}

/** Links to elements of one section, in order, each with its status when known. */
function chain(section, entries) {
  return h('ol', { class: 'chain' }, entries.map(({ name, item }) => h('li', null, item
    ? [link(elementHref(section, name), name), ' ', badge(item.status), item.type ? note(item.type) : null]
    : missing(name, section.one))));
}

export function serversTable(section, item) {
  const lb = item.loadBalancer;
  if (!lb || !Array.isArray(lb.servers) || lb.servers.length === 0) return empty('No servers.');
  const http = section.proto === 'http';
  const statusOf = (server) => (item.serverStatus && typeof item.serverStatus === 'object' ? item.serverStatus[server.url] : undefined);
  return h('div', { class: 'table-wrap' }, h('table', null,
    h('caption', { class: 'sr-only' }, 'Servers of ' + item.name),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, http ? 'URL' : 'Address'), h('th', { scope: 'col' }, 'Weight'),
      http ? h('th', { scope: 'col' }, 'Health') : null)),
    h('tbody', null, lb.servers.map((server) => h('tr', null,
      h('td', { 'data-label': http ? 'URL' : 'Address' }, code(http ? server.url : server.address)),
      h('td', { 'data-label': 'Weight' }, server.weight === undefined ? '1' : String(server.weight)),
      http ? h('td', { 'data-label': 'Health' }, serverBadge(statusOf(server))) : null)))));
}

function usedBy(section, names, routers) {
  if (!Array.isArray(names) || names.length === 0) return empty('Nothing uses this ' + section.one + '.');
  const routerSection = sibling(section, 'routers');
  return h('ul', { class: 'plain' }, names.map((name) => h('li', null, routers.includes(name)
    ? [link(elementHref(routerSection, name), name), ' ', note(routerSection.one)]
    : [link(elementHref(section, name), name), ' ', note(section.one)])));
}

export function routerParts(section, item, related) {
  const using = Array.isArray(item.using) && item.using.length > 0 ? item.using : item.entryPoints;
  const rows = [
    ['Status', badge(item.status)],
    ['Provider', item.provider],
    ['Rule', item.rule ? code(item.rule) : undefined],
    ['Priority', item.priorityStr || (item.priority !== undefined ? String(item.priority) : undefined)],
    ['Entrypoints', inlineList(using)],
    ['Configured entrypoints', item.entryPoints && !sameList(item.entryPoints, using) ? inlineList(item.entryPoints) : undefined],
    ['TLS', section.proto === 'udp' ? undefined : tlsNode(item.tls)],
  ];
  const services = sibling(section, 'services');
  const service = related.service;
  return [
    panel('Router', props(rows)),
    section.proto === 'udp' ? null : panel('Middlewares', related.middlewares.length === 0
      ? empty('This router uses no middlewares.')
      : chain(sibling(section, 'middlewares'), related.middlewares)),
    panel('Service', !item.service ? empty('This router names no service.') : service === null ? missing(item.service, services.one) : [
      props([['Name', link(elementHref(services, item.service), item.service)], ['Status', badge(service.status)], ['Type', service.type]]),
      service.loadBalancer ? serversTable(services, service) : null,
    ]),
  ];
}

function children(section, item) {
  const entries = [];
  const add = (name, detail) => entries.push(h('li', null, link(elementHref(section, name), name), detail ? [' ', note(detail)] : null));
  for (const kind of ['weighted', 'highestRandomWeight']) {
    const services = item[kind] && Array.isArray(item[kind].services) ? item[kind].services : [];
    for (const child of services) add(child.name, child.weight !== undefined ? 'weight ' + child.weight : '');
  }
  if (item.mirroring) {
    add(item.mirroring.service, 'main service');
    for (const mirror of item.mirroring.mirrors || []) add(mirror.name, 'mirror, ' + (mirror.percent || 0) + '%');
  }
  if (item.failover) {
    add(item.failover.service, 'main service');
    add(item.failover.fallback, 'fallback');
  }
  return entries.length === 0 ? null : panel('Child services', h('ul', { class: 'plain' }, entries));
}

export function serviceParts(section, item, related) {
  const lb = item.loadBalancer;
  const middlewares = sibling(section, 'middlewares');
  return [
    panel('Service', props([
      ['Status', badge(item.status)],
      ['Provider', item.provider],
      ['Type', item.type],
      ['Strategy', lb && lb.strategy],
      ['Pass Host header', lb && lb.passHostHeader !== undefined ? String(lb.passHostHeader) : undefined],
      ['Servers transport', lb && lb.serversTransport],
      ['Sticky sessions', lb && lb.sticky ? tree(lb.sticky) : undefined],
      ['Health check', lb && lb.healthCheck ? tree(lb.healthCheck) : undefined],
      ['Middlewares', Array.isArray(item.middlewares) && middlewares
        ? h('ol', { class: 'chain' }, item.middlewares.map((name) => h('li', null, link(elementHref(middlewares, name), name)))) : undefined],
    ])),
    lb ? panel('Servers', serversTable(section, item)) : null,
    children(section, item),
    panel('Used by', usedBy(section, item.usedBy, related.routers)),
  ];
}

export function middlewareParts(section, item, related) {
  const typeKey = Object.keys(item).find((key) => key.toLowerCase() === item.type);
  const options = typeKey ? item[typeKey] : undefined;
  const members = typeKey === 'chain' && options && Array.isArray(options.middlewares) ? options.middlewares : null;
  return [
    panel('Middleware', props([['Status', badge(item.status)], ['Provider', item.provider], ['Type', item.type]])),
    panel('Configuration', members
      ? h('ol', { class: 'chain' }, members.map((name) => h('li', null, link(elementHref(section, name), name))))
      : options !== undefined ? tree(options) : empty('No options.')),
    panel('Used by', usedBy(section, item.usedBy, related.routers)),
  ];
}
`;
