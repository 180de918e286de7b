import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { tlsConnectOptions, type ResolvedTransport } from './transport-config.js';

export type UpstreamAgent = HttpAgent | HttpsAgent;

/**
 * The node:http Agents behind the http-proxy-3 engine and WebSocket upgrades: keep-alive with Go's idle limits
 * (`maxFreeSockets` = maxIdleConnsPerHost, idle sockets closed after idleConnTimeout), no cap on sockets in use,
 * most recently used socket first. TLS settings live on the agent so they apply to every request through it.
 */
export function createAgent(secure: boolean, transport: ResolvedTransport, servername: string | undefined, keepAlive: boolean): UpstreamAgent {
  const reuse = keepAlive && transport.maxIdleConnsPerHost >= 0;
  const common = {
    keepAlive: reuse,
    maxFreeSockets: Math.max(1, transport.maxIdleConnsPerHost),
    maxSockets: Infinity,
    scheduling: 'lifo' as const,
    ...(transport.idleConnTimeout > 0 ? { timeout: transport.idleConnTimeout } : {}),
  };
  const agent: UpstreamAgent = secure
    ? new HttpsAgent({
      ...common,
      ...tlsConnectOptions(transport.tls),
      // An empty servername sends no SNI and verifies against the host, as Go does for IP addresses; without it
      // Node would take the SNI from the Host header, which passHostHeader makes the client's host.
      servername: servername ?? '',
    })
    : new HttpAgent(common);
  if (transport.dialTimeout > 0) withDialTimeout(agent, transport.dialTimeout, secure);
  return agent;
}

/**
 * node:http has no connect timeout; undici's covers TCP and the TLS handshake, so this one does too, and fails
 * with ETIMEDOUT (a 504) like a Go dial timeout.
 */
function withDialTimeout(agent: UpstreamAgent, ms: number, secure: boolean): void {
  const create = agent.createConnection.bind(agent) as (options: object, callback?: (err: Error | null, stream: Duplex) => void) => Duplex | null | undefined;
  agent.createConnection = ((options: object, callback?: (err: Error | null, stream: Duplex) => void) => {
    const socket = create(options, callback);
    if (socket === null || socket === undefined) return socket;
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`dial timeout: no connection within ${ms} ms`), { code: 'ETIMEDOUT' }));
    }, ms);
    const clear = (): void => clearTimeout(timer);
    socket.once(secure ? 'secureConnect' : 'connect', clear);
    socket.once('close', clear);
    return socket;
  }) as typeof agent.createConnection;
}

/** Closes idle sockets now and every socket as it becomes idle; sockets in use finish their request. */
export function retireAgent(agent: UpstreamAgent): void {
  agent.keepSocketAlive = (() => false) as typeof agent.keepSocketAlive;
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}
