// Every proxy the benchmark knows, in the order tables list them.
import { berth, berthOneProcess } from './berth.mjs';
import { caddy } from './caddy.mjs';
import { haproxy } from './haproxy.mjs';
import { nginx } from './nginx.mjs';

/** @type {import('../lib/topology.mjs').ProxyAdapter[]} */
export const ADAPTERS = [berth, berthOneProcess, nginx, haproxy, caddy];
