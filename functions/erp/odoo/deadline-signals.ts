/**
 * Abort signals for request timeouts, shared by the requests that start within the same short slot.
 *
 * Why not one `AbortController` per request: on Node.js 20 creating one costs about as much as the rest
 * of the client's work per call (it is made transferable for worker threads), which measurably slowed
 * every Odoo call (bench/odoo-client.ts). A request that starts in the slot [s, s + slotMs) shares the
 * signal that aborts at s + slotMs + timeoutMs, so each request is aborted after at least `timeoutMs`
 * and at most `timeoutMs + slotMs`: the timeout keeps its meaning, at a fraction of the cost.
 */
export class DeadlineSignals {
  private current: { slotEndsAt: number; signal: AbortSignal } | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly slotMs: number,
    private readonly now: () => number,
  ) {}

  /** The signal for a request starting now; `aborted` once the request has run for at least the timeout. */
  signal(): AbortSignal {
    const now = this.now();
    if (!this.current || now >= this.current.slotEndsAt) {
      const controller = new AbortController();
      const slotEndsAt = now + this.slotMs;
      // unref: a pending timeout must not keep a process (a test, a CLI) alive on its own.
      setTimeout(() => controller.abort(), slotEndsAt - now + this.timeoutMs).unref();
      this.current = { slotEndsAt, signal: controller.signal };
    }
    return this.current.signal;
  }
}
