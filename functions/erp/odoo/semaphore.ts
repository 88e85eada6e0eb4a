/** A FIFO counting semaphore: at most `limit` holders at once (hand-written: see circuit-breaker.ts). */
export class Semaphore {
  private held = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.held;
  }

  async acquire(): Promise<() => void> {
    if (this.held < this.limit) {
      this.held++;
    } else {
      // The releaser hands its slot over directly: `held` does not drop, so no newcomer can jump the queue.
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.held--;
    };
  }
}
