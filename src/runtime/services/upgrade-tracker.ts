import type { Duplex } from 'node:stream';
import { FrameBoundaries, goingAwayToClient, goingAwayToServer } from './ws-frames.js';

/** How long peers get to finish the close handshake (and a frame in progress) before their sockets are destroyed. */
const CLOSE_GRACE_MS = 1000;

interface UpgradedConnection {
  readonly client: Duplex;
  readonly upstream: Duplex;
  /** Frame boundaries of each direction, for a WebSocket; undefined for other upgraded protocols. */
  readonly frames: { readonly fromClient: FrameBoundaries; readonly fromUpstream: FrameBoundaries } | undefined;
}

/**
 * Every upgraded connection (WebSocket) that is open, whatever generation it came through. A reload never
 * closes them (Traefik #9455 keeps them too); graceful shutdown calls `closeAll` after in-flight requests are
 * done (graceTimeOut), which is what Traefik's graceTimeOut fails to do for WebSockets (#3630).
 *
 * For a WebSocket, each direction's frame boundaries are followed as bytes are relayed, so that `closeAll` can
 * end it cleanly: both peers get a close frame with 1001 "going away" between two frames (a frame in progress is
 * relayed to its end first), then a FIN. Other upgraded protocols get a FIN on both sides.
 */
export class UpgradeTracker {
  readonly #open = new Set<UpgradedConnection>();

  /**
   * Tracks a pair of sockets about to be piped, until either side closes; a pair already half gone is closed
   * instead. Must be called before the pipes are set up, so that frame tracking sees every relayed byte.
   */
  add(client: Duplex, upstream: Duplex, websocket = false): void {
    if (client.destroyed || upstream.destroyed) {
      client.destroy();
      upstream.destroy();
      return;
    }
    let frames: UpgradedConnection['frames'];
    if (websocket) {
      frames = { fromClient: new FrameBoundaries(), fromUpstream: new FrameBoundaries() };
      const { fromClient, fromUpstream } = frames;
      // Listeners added before the pipes run first for each chunk: the trackers always know what was relayed.
      client.on('data', (chunk: Buffer) => fromClient.feed(chunk));
      upstream.on('data', (chunk: Buffer) => fromUpstream.feed(chunk));
    }
    const connection = { client, upstream, frames };
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

  /**
   * Closes every upgraded connection, both sides: a WebSocket with close frames (1001) at frame boundaries, any
   * other protocol with a FIN. Resolves once their sockets are closed; peers that do not close within a second
   * are cut.
   */
  async closeAll(): Promise<void> {
    const closing: Array<Promise<void>> = [];
    for (const connection of this.#open) {
      const { client, upstream, frames } = connection;
      if (frames === undefined) {
        client.end();
        upstream.end();
      } else {
        endDirection(upstream, client, frames.fromUpstream, goingAwayToClient());
        endDirection(client, upstream, frames.fromClient, goingAwayToServer());
      }
      for (const socket of [client, upstream]) {
        if (socket.closed) continue;
        closing.push(new Promise<void>((resolve) => {
          const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        }));
      }
    }
    this.#open.clear();
    await Promise.all(closing);
  }
}

/**
 * Stops relaying `from` to `to` at the next frame boundary, then sends `closeFrame` and a FIN to `to`. Whatever
 * `from` sends afterwards (its own close frame, late messages) is read and dropped, so that its FIN is seen.
 */
function endDirection(from: Duplex, to: Duplex, frames: FrameBoundaries, closeFrame: Buffer): void {
  from.unpipe(to);
  const finish = (): void => {
    if (to.writable) to.end(closeFrame);
  };
  if (frames.atBoundary) finish();
  else {
    // The frame in progress is relayed to its end by hand, then nothing more. The tracker's own listener runs
    // first for every chunk, so this one follows a copy of its position taken now.
    let pending = true;
    const rest = frames.clone();
    from.on('data', (chunk: Buffer) => {
      if (!pending) return;
      const end = rest.feed(chunk);
      if (end === -1) {
        to.write(chunk);
        return;
      }
      pending = false;
      to.write(chunk.subarray(0, end));
      finish();
    });
  }
  // Unpiping paused `from`; keep reading so that its end (and the peer's close) is noticed.
  from.resume();
}
