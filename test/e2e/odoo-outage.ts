import { describe, expect, it } from 'vitest';
import { type ChaosSettings, runFault } from '../../bench/chaos-faults';
import { odooLabel, type OdooUnderTest } from './local-stack-harness';

/**
 * The short variant of the chaos bench's outage (`npm run chaos`, RELIABILITY.md): Odoo stops answering
 * for 60 s in the middle of a burst of 20 customers' month — customer, subscription, invoice, payment,
 * 80 webhooks — and comes back (a restart or upgrade window; a proxy refuses every connection meanwhile).
 * Goal (DESIGN.md: a transient fault never ends in a DLQ): every invoice and every payment applied exactly
 * once with Stripe's total, and nothing dead-lettered.
 *
 * The flows' retry delays run 4× faster here, to keep CI short: an hour of backoff then fits in 15 minutes of
 * outage, still far longer than this one (what is dead-lettered after an hour is measured with the real delays
 * by `npm run chaos`, RELIABILITY.md). The outage itself, the breaker and the receive count are real.
 */

const CUSTOMERS = 20;
const RETRY_DELAY_SCALE = 0.25;
/** The outage, the real backoff after it, and the drain: generous, a slow CI machine included. */
const SETTLE_TIMEOUT_MS = 20 * 60_000;

export function outageSuite(odoo: OdooUnderTest): void {
  describe(`a 60 s Odoo outage mid-burst on ${odooLabel(odoo)}`, () => {
    it(
      'applies every invoice and payment exactly once with the right total, and dead-letters nothing',
      async () => {
        const settings: ChaosSettings = { odoo, customers: CUSTOMERS, senders: 8, settleTimeoutMs: SETTLE_TIMEOUT_MS, retryDelayScale: RETRY_DELAY_SCALE };
        const result = await runFault('outage-60s', settings);
        expect(result.settled, 'the flow queues settled').toBe(true);
        expect(result.invoices).toEqual({ expected: CUSTOMERS, missing: 0, duplicate: 0, wrong: 0 });
        expect(result.payments).toEqual({ expected: CUSTOMERS, missing: 0, duplicate: 0, wrong: 0 });
        expect(result.deadLetters.reasons, 'dead letters by reason').toEqual({});
      },
      SETTLE_TIMEOUT_MS + 5 * 60_000,
    );
  });
}
