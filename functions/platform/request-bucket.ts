/**
 * A provider's rate limit is a number of requests per window (a CRM: 100 or 190 per rolling 10 s; a support desk:
 * a few hundred per minute). A token bucket of that size, refilled continuously over the window, keeps this container
 * under it before the provider has to say 429; `drain()` empties it when the provider says 429 anyway (other
 * containers share the limit). Shared by the provider modules' API clients.
 */
export interface RateLimitClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export class RequestBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly refillPerMs: number;

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
    private readonly clock: RateLimitClock,
  ) {
    if (!(capacity >= 1) || !(windowMs > 0)) throw new RangeError('a request bucket needs a capacity ≥ 1 and a positive window');
    this.tokens = capacity;
    this.updatedAt = clock.now();
    this.refillPerMs = capacity / windowMs;
  }

  /** How long the next request would wait for its token now. */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.refillPerMs);
  }

  /**
   * Takes a token, waiting for one; refuses (false, nothing taken) when the wait would end after `deadline`, so the
   * caller can answer "later" instead of outliving its own caller's timeout.
   */
  async take(deadline: number = Number.POSITIVE_INFINITY): Promise<boolean> {
    for (;;) {
      const wait = this.waitMs();
      if (wait === 0) {
        this.tokens -= 1;
        return true;
      }
      if (this.clock.now() + wait > deadline) return false;
      await this.clock.sleep(wait);
    }
  }

  /** The provider said 429: nothing is left for this window, whatever this container counted. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.refillPerMs);
    this.updatedAt = now;
  }
}
