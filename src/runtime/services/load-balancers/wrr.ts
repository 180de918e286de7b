import type { Balancer, BalancerCandidate, BalancerFactory } from './balancer.js';

/** A candidate's next deadline is `turn / weight`; kept as integers so comparisons are exact (no float drift). */
interface Slot<C> {
  readonly candidate: C;
  readonly index: number;
  turn: number;
}

/**
 * Smooth weighted round robin by Earliest Deadline First, as Traefik's wrr: each candidate's next deadline is
 * its last one plus 1/weight and the earliest deadline is served, so weights 3:1 give A A B A, A A B A...
 * (no bursts) at O(log n) per pick. A DOWN candidate popped from the heap keeps its turn moving, exactly as
 * Traefik's loop does, so it does not get a burst of requests when it comes back.
 *
 * Unlike Traefik the server order is not shuffled at build time: picks are deterministic, which tests rely on.
 */
export class WrrBalancer<C extends BalancerCandidate> implements Balancer<C> {
  readonly #heap: Slot<C>[] = [];

  constructor(candidates: readonly C[], rotation = 0) {
    const n = candidates.length;
    candidates.forEach((candidate, position) => {
      // The tie-break order, rotated: with rotation r, candidate r is first among equals, then r+1...
      const index = (((position - rotation) % n) + n) % n;
      this.#heap.push({ candidate, index, turn: 1 });
      this.#up(this.#heap.length - 1);
    });
  }

  pick(): C | undefined {
    const heap = this.#heap;
    if (heap.length === 0) return undefined;
    let checkedAll = false;
    for (;;) {
      const top = heap[0] as Slot<C>;
      top.turn++;
      this.#down(0);
      if (top.candidate.state.up) return top.candidate;
      // Only on the degraded path do we pay O(n) to make sure the loop can end.
      if (!checkedAll) {
        if (!heap.some((slot) => slot.candidate.state.up)) return undefined;
        checkedAll = true;
      }
    }
  }

  #less(i: number, j: number): boolean {
    const a = this.#heap[i] as Slot<C>;
    const b = this.#heap[j] as Slot<C>;
    const left = a.turn * b.candidate.weight;
    const right = b.turn * a.candidate.weight;
    return left < right || (left === right && a.index < b.index);
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const tmp = heap[i] as Slot<C>;
    heap[i] = heap[j] as Slot<C>;
    heap[j] = tmp;
  }

  #up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(index: number): void {
    const n = this.#heap.length;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && this.#less(right, left) ? right : left;
      if (!this.#less(child, i)) return;
      this.#swap(i, child);
      i = child;
    }
  }
}

export const createWrr: BalancerFactory = (candidates, options) => new WrrBalancer(candidates, options?.rotation ?? 0);
