/**
 * Bounds the analyses running at once: up to `concurrency` run, up to `queue` more wait in
 * arrival order, and any further request is refused at once (the caller answers 503) instead of
 * piling up memory and latency.
 */

/** Thrown by {@link ConcurrencyGate.acquire} when every slot and queue place is taken. */
export class GateFullError extends Error {
  constructor(readonly concurrency: number, readonly queue: number) {
    super(`the server is busy (${concurrency} analyses running, ${queue} waiting); retry shortly`);
    this.name = 'GateFullError';
  }
}

/** A counting semaphore with a bounded wait queue. */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /**
   * @param concurrency analyses allowed at once (≥ 1)
   * @param queue requests allowed to wait for a slot (≥ 0)
   */
  constructor(readonly concurrency: number, readonly queue: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    if (!Number.isInteger(queue) || queue < 0) throw new RangeError(`queue must be a non-negative integer, got ${queue}`);
  }

  /** Analyses running now. */
  get active(): number {
    return this.running;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Waits for a slot and returns its release function (call it exactly once; later calls do
   * nothing). Throws {@link GateFullError} when all slots are busy and the queue is full.
   */
  async acquire(): Promise<() => void> {
    if (this.running < this.concurrency) {
      this.running++;
    } else {
      if (this.waiting.length >= this.queue) throw new GateFullError(this.concurrency, this.queue);
      // The releasing request hands its slot over directly (running stays the same).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }
}
