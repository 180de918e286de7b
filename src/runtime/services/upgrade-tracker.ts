import type { Duplex } from 'node:stream';

interface UpgradedConnection {
  readonly client: Duplex;
  readonly upstream: Duplex;
}

/**
 * Every upgraded connection (WebSocket) that is open, whatever generation it came through. A reload never
 * closes them (Traefik #9455 keeps them too); graceful shutdown calls `closeAll` after in-flight requests
 * are done, which is what Traefik's graceTimeOut fails to do for WebSockets (#3630).
 */
export class UpgradeTracker {
  readonly #open = new Set<UpgradedConnection>();

  /** Tracks a pair of piped sockets until either side closes; a pair already half gone is closed instead. */
  add(client: Duplex, upstream: Duplex): void {
    if (client.destroyed || upstream.destroyed) {
      client.destroy();
      upstream.destroy();
      return;
    }
    const connection = { client, upstream };
    this.#open.add(connection);
    const forget = (): void => {
      this.#open.delete(connection);
    };
    client.once('close', forget);
    upstream.once('close', forget);
  }

  get count(): number {
    return this.#open.size;
  }

  /** Closes every upgraded connection, both sides, and resolves once their sockets are closed. */
  async closeAll(): Promise<void> {
    const closing: Array<Promise<void>> = [];
    for (const { client, upstream } of this.#open) {
      for (const socket of [client, upstream]) {
        if (socket.closed) continue;
        closing.push(new Promise<void>((resolve) => socket.once('close', () => resolve())));
        socket.destroy();
      }
    }
    this.#open.clear();
    await Promise.all(closing);
  }
}
