import type { FastRouter } from '../runtime/compile/entry-handler.js';
import type { Handler } from '../runtime/handler.js';

/**
 * The part of a RuntimeGraph an entrypoint needs: the handler for its requests. A graph is compiled from one
 * snapshot and never changes; a new snapshot gives a new graph.
 */
export interface RoutingTable {
  readonly generation: number;
  /** The handler for requests arriving on `entryPoint` over plain HTTP (`tls` false) or HTTPS (`tls` true). */
  handlerFor(entryPoint: string, tls: boolean): Handler | undefined;
  /** The HTTP/1.1 fast path's router for requests on `entryPoint` over HTTP (`tls` false) or HTTPS, when it has one. */
  fastRouterFor?(entryPoint: string, tls: boolean): FastRouter | undefined;
}

/**
 * Holds the current routing table. Swapping is one reference assignment: a request reads `current` once when it
 * starts and keeps that table to the end, so a reload never cuts it (ARCHITECTURE.md, convention 2).
 */
export class HandlerSwitcher {
  #current: RoutingTable | undefined;

  get current(): RoutingTable | undefined {
    return this.#current;
  }

  set(table: RoutingTable): void {
    this.#current = table;
  }
}
