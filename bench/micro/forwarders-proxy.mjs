// One Berth proxy process for bench/micro/forwarders.mjs: a loadBalancer service over one server, served on
// 127.0.0.1 with the chosen forwarding engine. Usage: node forwarders-proxy.mjs <http1|undici|http-proxy> <backend-url>
// Prints the port it listens on, then serves until killed.
import { createServer } from 'node:http';
import { createContext } from '../../dist/src/config/schema/index.js';
import { httpServersTransportSchema } from '../../dist/src/config/dynamic/servers-transport.js';
import { httpServiceSchema } from '../../dist/src/config/dynamic/http-service.js';
import { silentLogger } from '../../dist/src/observability/logger.js';
import { createForwarder } from '../../dist/src/runtime/services/forwarder.js';
import { ServerStateRegistry } from '../../dist/src/runtime/services/server-state.js';
import { buildServices } from '../../dist/src/runtime/services/service-builder.js';
import { TransportRegistry } from '../../dist/src/runtime/services/transports.js';
import { UpgradeTracker } from '../../dist/src/runtime/services/upgrade-tracker.js';

const [engine, backend] = process.argv.slice(2);
const decode = (schema, raw) => schema.decode(raw, [], createContext({ flat: false, where: () => '' }));
const runtime = {
  forwarder: createForwarder(engine, { policy: { serverHostname: 'bench', notAppendXForwardedFor: new Set() }, upgrades: new UpgradeTracker(), logger: silentLogger() }),
  transports: new TransportRegistry(),
  servers: new ServerStateRegistry(),
  logger: silentLogger(),
};
const built = buildServices({
  services: { 'bench@file': decode(httpServiceSchema, { loadBalancer: { servers: [{ url: backend }] } }) },
  serversTransports: {},
  defaultTransport: decode(httpServersTransportSchema, {}),
  internal: new Map(),
  signal: new AbortController().signal,
}, runtime);
const handler = built.handlers.get('bench@file');
let port = 0;
const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => handler(req, res, {
  entryPoint: 'web', clientIp: req.socket.remoteAddress ?? '', clientPort: req.socket.remotePort ?? 0, localPort: port,
  tls: false, trustForwardHeaders: false, host: '', serverName: '', routerName: 'bench@file', serviceName: '',
  serverUrl: '', upgrade: undefined, startedAt: process.hrtime.bigint(),
}));
process.on('SIGINT', () => process.exit(0));
server.listen(0, '127.0.0.1', () => {
  port = server.address().port;
  process.stdout.write(`${port}\n`);
});
