import { createContext, INVALID } from '../../../../src/config/schema/index.js';
import { httpServiceSchema, type HttpServiceConfig } from '../../../../src/config/dynamic/http-service.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { sendStatus, type Handler } from '../../../../src/runtime/handler.js';
import { createForwarder, type ForwarderEngine } from '../../../../src/runtime/services/forwarder.js';
import { ServerStateRegistry } from '../../../../src/runtime/services/server-state.js';
import { buildServices, type ServiceBuildInput, type ServiceBuildResult, type ServiceRuntime } from '../../../../src/runtime/services/service-builder.js';
import { TransportRegistry } from '../../../../src/runtime/services/transports.js';
import { UpgradeTracker } from '../../../../src/runtime/services/upgrade-tracker.js';
import { seededRandom } from '../../../contracts/balancer.contract.js';
import { TEST_POLICY, transportConfig } from './harness.js';

/** Decodes a service as the file provider would (defaults applied), failing the test on any issue. */
export function service(raw: Record<string, unknown>): HttpServiceConfig {
  const ctx = createContext({ flat: false, where: (path) => path.join('.') });
  const decoded = httpServiceSchema.decode(raw, [], ctx);
  if (decoded === INVALID || decoded === undefined || ctx.issues.length > 0) throw new Error(`bad service: ${JSON.stringify(ctx.issues)}`);
  return decoded;
}

/** The long-lived part (forwarder, pools, server states) and a way to build generations on it. */
export class ServiceWorld {
  readonly runtime: ServiceRuntime;
  readonly servers = new ServerStateRegistry();
  readonly transports = new TransportRegistry();
  readonly upgrades = new UpgradeTracker();
  readonly generations: AbortController[] = [];

  constructor(engine: ForwarderEngine = 'undici') {
    this.runtime = {
      forwarder: createForwarder(engine, { policy: TEST_POLICY, upgrades: this.upgrades, logger: silentLogger() }),
      transports: this.transports,
      servers: this.servers,
      logger: silentLogger(),
      random: seededRandom(1),
    };
  }

  /** Builds one generation from raw service sections (decoded with the schema). */
  build(services: Record<string, Record<string, unknown>>, extra: Partial<Omit<ServiceBuildInput, 'services' | 'signal'>> = {}): ServiceBuildResult & { readonly generation: AbortController } {
    const generation = new AbortController();
    this.generations.push(generation);
    const decoded = Object.fromEntries(Object.entries(services).map(([name, raw]) => [name, service(raw)]));
    const internal = new Map<string, Handler>([['noop@internal', (_req, res) => sendStatus(res, 418, 'noop')]]);
    const result = buildServices({
      services: decoded,
      serversTransports: {},
      defaultTransport: transportConfig(),
      internal,
      ...extra,
      signal: generation.signal,
    }, this.runtime);
    return { ...result, generation };
  }

  async close(): Promise<void> {
    for (const generation of this.generations) generation.abort();
    await this.upgrades.closeAll();
    await this.transports.close();
    this.servers.close();
  }
}

/** The handler of a built service, failing loudly when it was not built. */
export function handlerOf(result: ServiceBuildResult, name: string): Handler {
  const handler = result.handlers.get(name);
  if (handler === undefined) throw new Error(`service ${name} was not built: ${JSON.stringify(result.issues.get(name))}`);
  return handler;
}
