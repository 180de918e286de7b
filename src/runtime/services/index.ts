/**
 * The service layer: everything from "a request was routed to service X" to the server and back. Bootstrap
 * creates the long-lived parts once (a Forwarder, a TransportRegistry, a ServerStateRegistry, an
 * UpgradeTracker); compile() calls buildServices() for each snapshot with the new graph's AbortSignal.
 */
export type { BuiltService, ServiceHealth, ServiceIssue } from './built-service.js';
export { createForwardedHeadersPolicy, type ForwardedHeadersPolicy } from './forward-headers.js';
export { ForwardTarget, parseServerUrl } from './forward-target.js';
export { createForwarder, NO_OBSERVER, type Forwarder, type ForwarderDeps, type ForwarderEngine, type ForwardObserver } from './forwarder.js';
export { ServerState, ServerStateRegistry, type HealthListener, type ServerStatus } from './server-state.js';
export { buildServices, DEFAULT_TRANSPORT, type ServiceBuildInput, type ServiceBuildResult, type ServiceRuntime } from './service-builder.js';
export { TransportRegistry, UpstreamPool } from './transports.js';
export { UpgradeTracker } from './upgrade-tracker.js';
