import type { HttpServiceConfig, LoadBalancerConfig } from '../../config/dynamic/http-service.js';
import type { HttpServersTransportConfig } from '../../config/dynamic/servers-transport.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { Logger } from '../../observability/logger.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import type { Handler } from '../handler.js';
import type { BuiltService, ServiceIssue } from './built-service.js';
import { anyUp, childBalancerService, childState, failoverService, mirroringService, parseStatusRanges, type ChildCandidate, type FailoverSpec } from './composite-services.js';
import { ForwardTarget, parseServerUrl } from './forward-target.js';
import type { Forwarder } from './forwarder.js';
import { ActiveHealthCheck, checkHealthCheckConfig } from './health-check.js';
import { loadBalancerService, type ServerCandidate } from './load-balancer-service.js';
import { BALANCERS, type Balancer, type BalancerOptions } from './load-balancers/index.js';
import { createHrw } from './load-balancers/hrw.js';
import { createWrr } from './load-balancers/wrr.js';
import { ServerObserver } from './server-observer.js';
import type { ServerStateRegistry } from './server-state.js';
import { StickyCookie } from './sticky.js';
import { resolveTransport, type ResolvedTransport, type TransportProblem } from './transport-config.js';
import type { TransportRegistry } from './transports.js';

/** The transport used when a loadBalancer names none: the static `serversTransport`. */
export const DEFAULT_TRANSPORT = 'default@internal';

type Service = DeepReadonly<HttpServiceConfig>;

/** What outlives generations, created once by bootstrap. */
export interface ServiceRuntime {
  readonly forwarder: Forwarder;
  readonly transports: TransportRegistry;
  readonly servers: ServerStateRegistry;
  readonly logger: Logger;
  /** Random source for p2c (tests pass a seeded one). */
  readonly random?: () => number;
  /**
   * Whether compiled services run their active health checks (default true). Worker processes pass false: the
   * leader runs the checks once for every worker and relays the results through the ServerStateRegistry, so a
   * backend is not probed once per core.
   */
  readonly activeHealthChecks?: boolean;
  /** Round robin's starting candidate (BalancerOptions.rotation): the worker's index, 0 in one process. */
  readonly balancerRotation?: number;
}

/** One generation's input, from its snapshot. Every name is qualified (`name@provider`). */
export interface ServiceBuildInput {
  readonly services: Readonly<Record<string, Service>>;
  readonly serversTransports: Readonly<Record<string, DeepReadonly<HttpServersTransportConfig>>>;
  /** The static `serversTransport`, known as `default@internal`. */
  readonly defaultTransport: DeepReadonly<HttpServersTransportConfig>;
  /** Services provided by Berth itself: `api@internal`, `dashboard@internal`, `noop@internal`, `ping@internal`... */
  readonly internal: ReadonlyMap<string, Handler>;
  /** Services to build (those the routers use); every service of the snapshot when absent. */
  readonly roots?: Iterable<string>;
  /**
   * Wraps a service in its own `middlewares` (Traefik 3.7 service middlewares); returns the issue instead when a
   * middleware is missing or broken. Services that declare middlewares fail to build when it is absent.
   */
  readonly applyMiddlewares?: (serviceName: string, middlewares: readonly string[], handler: Handler) => Handler | ServiceIssue;
  /** The generation's signal: it releases pools and server states and stops health checks. */
  readonly signal: AbortSignal;
}

/**
 * Everything compile needs from the services of one generation.
 * - `handlers`: a Handler for every service that was built (status enabled, or warning when it has issues).
 * - `issues`: per service, what is wrong; a service with an `error` issue has no handler and every router using
 *   it must be disabled. A parent whose child failed carries its own error naming the child.
 * - `servers`: per loadBalancer service, its server URLs, to show `serverStatus` with ServerStateRegistry.statuses().
 */
export interface ServiceBuildResult {
  readonly handlers: ReadonlyMap<string, Handler>;
  readonly issues: ReadonlyMap<string, readonly ServiceIssue[]>;
  readonly servers: ReadonlyMap<string, readonly string[]>;
}

class Failure {
  readonly issue: ServiceIssue;
  constructor(issue: ServiceIssue) {
    this.issue = issue;
  }
}

const error = (code: ServiceIssue['code'], message: string): Failure => new Failure({ code, severity: 'error', message });

/**
 * Builds the services of one snapshot (Traefik's service manager): loadBalancer, weighted, mirroring, failover
 * and highestRandomWeight, internal services from the injected map, transports resolved per serversTransport.
 * Never throws: a service that cannot be built gets an issue, and the others are unaffected. Recursion among
 * composite services is detected and reported on each service it affects. Health checks start for the built
 * services and stop with the generation's signal.
 */
export function buildServices(input: ServiceBuildInput, runtime: ServiceRuntime): ServiceBuildResult {
  const builder = new ServiceBuilder(input, runtime);
  for (const name of input.roots ?? Object.keys(input.services)) builder.build(name, []);
  return builder.finish();
}

class ServiceBuilder {
  readonly #input: ServiceBuildInput;
  readonly #runtime: ServiceRuntime;
  readonly #balancerOptions: BalancerOptions;
  readonly #built = new Map<string, BuiltService | Failure>();
  readonly #issues = new Map<string, ServiceIssue[]>();
  readonly #servers = new Map<string, string[]>();
  readonly #transports = new Map<string, ResolvedTransport | TransportProblem>();
  readonly #healthChecks: ActiveHealthCheck[] = [];

  constructor(input: ServiceBuildInput, runtime: ServiceRuntime) {
    this.#input = input;
    this.#runtime = runtime;
    this.#balancerOptions = {
      ...(runtime.random === undefined ? {} : { random: runtime.random }),
      ...(runtime.balancerRotation === undefined ? {} : { rotation: runtime.balancerRotation }),
    };
  }

  build(name: string, path: readonly string[]): BuiltService | Failure {
    const done = this.#built.get(name);
    if (done !== undefined) return done;
    if (path.includes(name)) {
      const failure = error(ErrorCodes.RECURSION, `recursion detected in service "${name}": ${[...path.slice(path.indexOf(name)), name].join(' -> ')}; a service may not contain itself`);
      this.#record(name, failure.issue);
      return failure;
    }
    const result = this.#buildUncached(name, [...path, name]);
    // The recursion check above may already have recorded this service's failure.
    if (this.#built.has(name)) return this.#built.get(name) as BuiltService | Failure;
    if (result instanceof Failure) this.#record(name, result.issue);
    this.#built.set(name, result);
    return result;
  }

  finish(): ServiceBuildResult {
    if (this.#runtime.activeHealthChecks !== false) for (const check of this.#healthChecks) check.start();
    const handlers = new Map<string, Handler>();
    for (const [name, built] of this.#built) if (!(built instanceof Failure)) handlers.set(name, built.handler);
    return { handlers, issues: this.#issues, servers: this.#servers };
  }

  #record(name: string, issue: ServiceIssue): void {
    const list = this.#issues.get(name) ?? [];
    if (!list.some((known) => known.message === issue.message)) list.push(issue);
    this.#issues.set(name, list);
    if (issue.severity === 'error') this.#built.set(name, new Failure(issue));
  }

  #buildUncached(name: string, path: readonly string[]): BuiltService | Failure {
    const internal = this.#input.internal.get(name);
    if (internal !== undefined) return { handler: internal, health: undefined };
    const config = Object.hasOwn(this.#input.services, name) ? this.#input.services[name] : undefined;
    if (config === undefined) return error(ErrorCodes.SERVICE_NOT_FOUND, `the service "${name}" does not exist`);
    const built = this.#buildKind(name, config, path);
    if (built instanceof Failure || config.middlewares === undefined || config.middlewares.length === 0) return built;
    if (this.#input.applyMiddlewares === undefined) {
      return error(ErrorCodes.NOT_SUPPORTED, `service "${name}" declares middlewares, which this build of Berth cannot apply to services; attach them to the router instead`);
    }
    const wrapped = this.#input.applyMiddlewares(name, config.middlewares, built.handler);
    return typeof wrapped === 'function' ? { handler: wrapped, health: built.health } : new Failure(wrapped);
  }

  #buildKind(name: string, config: Service, path: readonly string[]): BuiltService | Failure {
    if ('loadBalancer' in config && config.loadBalancer !== undefined) return this.#loadBalancer(name, config.loadBalancer);
    if ('weighted' in config && config.weighted !== undefined) {
      const { services, sticky, healthCheck } = config.weighted;
      return this.#children(name, path, services, healthCheck !== undefined, (candidates) => createWrr(candidates, this.#balancerOptions), sticky?.cookie);
    }
    if ('highestRandomWeight' in config && config.highestRandomWeight !== undefined) {
      const { services, healthCheck } = config.highestRandomWeight;
      return this.#children(name, path, services, healthCheck !== undefined, (candidates) => createHrw(candidates), undefined);
    }
    if ('mirroring' in config && config.mirroring !== undefined) return this.#mirroring(name, path, config.mirroring);
    if ('failover' in config && config.failover !== undefined) return this.#failover(name, path, config.failover);
    return error(ErrorCodes.INVALID_ELEMENT, `the service "${name}" does not have any type defined`);
  }

  /**
   * A child by name, as a failure of the parent when it cannot be built, or when the parent propagates health
   * (`healthCheck: {}`) and the child reports none (Traefik refuses that configuration too).
   */
  #child(parent: string, child: string, path: readonly string[], needsHealth = false): BuiltService | Failure {
    const built = this.build(child, path);
    if (built instanceof Failure) return new Failure({ ...built.issue, message: `service "${parent}" cannot use its child "${child}": ${built.issue.message}` });
    if (needsHealth && built.health === undefined) {
      return error(ErrorCodes.INVALID_ELEMENT, `service "${parent}" propagates health (healthCheck: {}), but its child "${child}" reports none: give "${child}" a healthCheck`);
    }
    return built;
  }

  #children(
    name: string,
    path: readonly string[],
    refs: DeepReadonly<Array<{ name: string; weight?: number }>>,
    propagate: boolean,
    balance: (candidates: readonly ChildCandidate[]) => Balancer<ChildCandidate>,
    cookie: DeepReadonly<NonNullable<NonNullable<LoadBalancerConfig['sticky']>['cookie']>> | undefined,
  ): BuiltService | Failure {
    const candidates: ChildCandidate[] = [];
    for (const ref of refs) {
      const child = this.#child(name, ref.name, path, propagate);
      if (child instanceof Failure) return child;
      const weight = ref.weight ?? 1;
      // Traefik ignores children with a non-positive weight.
      if (weight > 0) candidates.push({ name: ref.name, weight, state: childState(child, propagate), handler: child.handler });
    }
    const sticky = cookie === undefined ? undefined : new StickyCookie(cookie, name, candidates);
    return childBalancerService(balance(candidates), sticky, propagate ? anyUp(candidates) : undefined);
  }

  #mirroring(name: string, path: readonly string[], config: DeepReadonly<NonNullable<Extract<HttpServiceConfig, { mirroring: unknown }>['mirroring']>>): BuiltService | Failure {
    const propagate = config.healthCheck !== undefined;
    const main = this.#child(name, config.service, path, propagate);
    if (main instanceof Failure) return main;
    const mirrors = [];
    for (const mirror of config.mirrors) {
      const built = this.#child(name, mirror.name, path);
      if (built instanceof Failure) return built;
      mirrors.push({ handler: built.handler, percent: mirror.percent });
    }
    return mirroringService(main, mirrors, config.mirrorBody, config.maxBodySize, propagate);
  }

  #failover(name: string, path: readonly string[], config: DeepReadonly<NonNullable<Extract<HttpServiceConfig, { failover: unknown }>['failover']>>): BuiltService | Failure {
    let errors: FailoverSpec['errors'];
    if (config.errors !== undefined && config.errors.status.length > 0) {
      const ranges = parseStatusRanges(config.errors.status);
      if ('invalid' in ranges) return error(ErrorCodes.INVALID_VALUE, `failover.errors.status of "${name}": "${ranges.invalid}" is not a status code or a range such as "500-504"`);
      errors = { ranges, maxRequestBodyBytes: config.errors.maxRequestBodyBytes };
    }
    const main = this.#child(name, config.service, path);
    if (main instanceof Failure) return main;
    if (main.health === undefined && errors === undefined) {
      return error(ErrorCodes.INVALID_ELEMENT, `failover "${name}" switches on the health of "${config.service}", which has no healthCheck: add one to it, or set failover.errors.status`);
    }
    const propagate = config.healthCheck !== undefined;
    const fallback = this.#child(name, config.fallback, path, propagate);
    if (fallback instanceof Failure) return fallback;
    return failoverService({ main, fallback, propagate, errors });
  }

  #transport(name: string): ResolvedTransport | TransportProblem {
    let transport = this.#transports.get(name);
    if (transport !== undefined) return transport;
    const config = name === DEFAULT_TRANSPORT
      ? this.#input.defaultTransport
      : Object.hasOwn(this.#input.serversTransports, name) ? this.#input.serversTransports[name] : undefined;
    transport = config === undefined
      ? { code: ErrorCodes.TRANSPORT_NOT_FOUND, message: `the serversTransport "${name}" does not exist` }
      : resolveTransport(name, config);
    this.#transports.set(name, transport);
    return transport;
  }

  #loadBalancer(name: string, config: DeepReadonly<LoadBalancerConfig>): BuiltService | Failure {
    const { forwarder, transports, servers: states, logger } = this.#runtime;
    const { signal } = this.#input;
    const transport = this.#transport(config.serversTransport ?? DEFAULT_TRANSPORT);
    if ('code' in transport) return error(transport.code, `service "${name}": ${transport.message}`);

    let activeCheck = config.healthCheck;
    if (activeCheck !== undefined) {
      const problem = checkHealthCheckConfig(activeCheck);
      if (problem?.severity === 'error') return error(problem.code, `service "${name}": ${problem.message}`);
      if (problem !== undefined) {
        this.#record(name, { ...problem, message: `service "${name}": ${problem.message}` });
        activeCheck = undefined;
      }
    }

    const passive = config.passiveHealthCheck === undefined
      ? undefined
      : { failureWindow: config.passiveHealthCheck.failureWindow, maxFailedAttempts: config.passiveHealthCheck.maxFailedAttempts, hasActiveCheck: activeCheck !== undefined };
    const candidates: ServerCandidate[] = [];
    const urls: string[] = [];
    for (const server of config.servers) {
      const parsed = parseServerUrl(server.url);
      if ('code' in parsed) return error(parsed.code, `service "${name}": ${parsed.message}`);
      urls.push(server.url);
      const weight = server.weight ?? 1;
      if (weight <= 0) continue;
      const pool = transports.acquire(parsed.origin, parsed.h2c, transport, signal);
      const target = new ForwardTarget({ url: server.url, passHostHeader: config.passHostHeader, preservePath: server.preservePath ?? false }, parsed, pool);
      const state = states.acquire(server.url, signal);
      candidates.push({ name: server.url, weight, state, target, observer: new ServerObserver(state, states, passive) });
    }
    this.#servers.set(name, urls);

    const balancer = BALANCERS[config.strategy](candidates, this.#balancerOptions);
    const cookie = config.sticky?.cookie;
    const sticky = cookie === undefined ? undefined : new StickyCookie(cookie, name, candidates);
    if (activeCheck !== undefined) {
      this.#healthChecks.push(new ActiveHealthCheck({
        serviceName: name,
        config: activeCheck,
        transport,
        targets: candidates.map((candidate) => ({ url: candidate.name })),
        states,
        signal,
        logger: logger.child({ serviceName: name }),
      }));
    }
    return loadBalancerService(name, candidates, balancer, sticky, forwarder, activeCheck !== undefined);
  }
}
