import { OdooCircuitOpenError, OdooRateLimitedError, OdooTimeoutError, OdooConnectionError, OdooUnavailableError } from './odoo-errors';

/*
 * Hand-written on purpose, like semaphore.ts, token-bucket.ts and retry-policy.ts: the client is
 * bundled into every flow Lambda (150 KB budget) and the policy is exact — per database, shared by
 * all clients of a container, counting only outage signals. The usual libraries (opossum, cockatiel)
 * are larger than this whole client and model the policy differently (percentages, event emitters).
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What one attempt tells the breaker about the server's health. */
export type BreakerOutcome = 'healthy' | 'outage';

/** Timeouts, resets, 429 and 5xx say the server is in trouble; an Odoo error says it answered. */
export function breakerOutcomeOf(error: unknown): BreakerOutcome {
  return error instanceof OdooTimeoutError ||
    error instanceof OdooConnectionError ||
    error instanceof OdooUnavailableError ||
    error instanceof OdooRateLimitedError
    ? 'outage'
    : 'healthy';
}

export interface BreakerPass {
  readonly trial: boolean;
}

/**
 * closed → open after `failureThreshold` consecutive outage outcomes → half-open once `openMs` has
 * passed: one trial call goes through while the others still fail fast → closed on a healthy trial,
 * open again (for another `openMs`) on an outage.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly settings: { failureThreshold: number; openMs: number },
    private readonly now: () => number,
  ) {}

  state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.settings.openMs ? 'half-open' : 'open';
  }

  /** Lets an attempt through or throws `OdooCircuitOpenError` without touching the network. */
  pass(details: { model?: string; method?: string } = {}): BreakerPass {
    const state = this.state();
    if (state === 'closed') return { trial: false };
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return { trial: true };
    }
    const waitMs = Math.max(0, (this.openedAt ?? 0) + this.settings.openMs - this.now());
    throw new OdooCircuitOpenError(
      state === 'open'
        ? `Odoo circuit open after ${this.settings.failureThreshold} consecutive failures; next trial in ${waitMs} ms`
        : 'Odoo circuit half-open: a trial call is in flight',
      { ...details, retryAfterMs: waitMs },
    );
  }

  record(pass: BreakerPass, outcome: BreakerOutcome): void {
    if (pass.trial) this.trialInFlight = false;
    if (outcome === 'healthy') {
      // A late success of a call let through while closed does not close a circuit opened since.
      if (pass.trial || this.openedAt === undefined) {
        this.consecutiveFailures = 0;
        this.openedAt = undefined;
      }
      return;
    }
    this.consecutiveFailures++;
    if (pass.trial || (this.openedAt === undefined && this.consecutiveFailures >= this.settings.failureThreshold)) {
      this.openedAt = this.now();
    }
  }
}
