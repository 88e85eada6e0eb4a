import type { OdooClock } from './odoo-clock';

/**
 * Client-side rate limit: `ratePerSecond` tokens per second, up to `burst` saved
 * (hand-written: see circuit-breaker.ts).
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  /** Callers queue so that a burst of waiters is served in order, one token each. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: OdooClock,
  ) {
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  /** Resolves once a token is taken. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeInTurn());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.ratePerSecond) / 1000);
    this.updatedAt = now;
  }

  private async takeInTurn(): Promise<void> {
    this.refill();
    while (this.tokens < 1) {
      await this.clock.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
      this.refill();
    }
    this.tokens -= 1;
  }
}
