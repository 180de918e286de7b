import type { Provider } from '../provider.js';
import { buildInternalConfig, type InternalSettings } from './build.js';

/** The `internal` provider: publishes Berth's own routers once; static configuration never changes at run time. */
export function createInternalProvider(settings: InternalSettings): Provider {
  return {
    name: 'internal',
    throttled: false,
    start(publish) {
      publish({ provider: 'internal', config: buildInternalConfig(settings), issues: [] });
      return Promise.resolve();
    },
  };
}
