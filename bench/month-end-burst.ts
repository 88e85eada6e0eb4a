#!/usr/bin/env node
/**
 * `npm run bench:burst`: a month-end burst through the local stack (stage `local`, real bundles) into the
 * Odoo sandbox, on this machine. BENCH_CUSTOMERS (default 2500) customers each bring four signed Stripe
 * webhooks — `customer.created`, `customer.subscription.created`, `invoice.finalized`,
 * `invoice_payment.paid` — so the default is a 10,000-event burst. Prints a Markdown table for BENCHMARKS.md.
 *
 * The webhooks go out type by type (every customer, then every subscription, …), each wave as fast as
 * BENCH_SENDERS (16) concurrent senders can post, and the next wave starts once the flow queues are drained:
 * so Odoo calls per event can be told per event type. A counting proxy in front of the Odoo sandbox
 * (bench/odoo-counting-proxy.ts) counts every request by `model.method` and the requests in flight at once:
 * the peak must never exceed the configured bound, flow concurrency (SQS MaximumConcurrency) × the Odoo
 * client's per-container concurrency limit. Every event must land: the dead-letter queues are checked, and
 * the bench fails if one holds anything.
 *
 * BENCH_ODOO=real runs the same burst against a real Odoo instead of the sandbox (ODOO_URL et al., or one
 * started from ../shared/odoo: see `chooseRealOdoo` in bench-environment.ts); BENCH_CUSTOMERS=250 keeps such a
 * run to minutes on a 2-worker Odoo.
 */
import { cpus } from 'node:os';
import { resolveStage } from '../lib/config/stages';
import { BENCH_SIGNING_SECRET, chooseRealOdoo, deadLetterCount, drained, startBenchEnvironment } from './bench-environment';
import { billingMonth, sendSignedWebhooks } from './billing-month';
import { type OdooCountingProxy, startOdooCountingProxy } from './odoo-counting-proxy';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 2500);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 16);
const WAVE_TIMEOUT_MS = Number(process.env.BENCH_WAVE_TIMEOUT_SECONDS ?? 1800) * 1000;

const { config } = resolveStage('local');

const { waves, stripeObjects } = billingMonth(CUSTOMERS);

const BENCH_ODOO = process.env.BENCH_ODOO ?? 'sandbox';
if (BENCH_ODOO !== 'sandbox' && BENCH_ODOO !== 'real') throw new Error(`BENCH_ODOO must be sandbox or real, got ${BENCH_ODOO}`);
const real = BENCH_ODOO === 'real' ? await chooseRealOdoo('bench_burst') : undefined;

let proxy: OdooCountingProxy | undefined;
// The counting proxy between the stack and Odoo: every Odoo call and the calls in flight, per wave.
const environment = await startBenchEnvironment({
  name: 'burst',
  ...(real ? { odoo: { kind: 'running' as const, connection: real.odoo, description: real.label } } : {}),
  odooProxy: async (odooUrl) => (proxy = await startOdooCountingProxy(odooUrl)),
});
const { stack } = environment;
const counting = proxy!;
const stripe = { url: environment.providerApis.get('stripe')!.sandboxUrl! };
const webhookUrl = `${stack.url}/webhooks/stripe`;
// The stage's own bound (what the stack deploys with), not the client's default.
const concurrencyBound = config.flowConcurrency * config.odoo.maxConcurrentRequests;

try {
  // What a flow fetches when an event overtakes its dependency; in this ordered burst it is never needed.
  const seeded = await fetch(`${stripe.url}/_sandbox/objects`, { method: 'POST', body: JSON.stringify(stripeObjects) });
  if (!seeded.ok) throw new Error(`seeding the Stripe sandbox: ${seeded.status}`);

  const results = [];
  const startedAt = performance.now();
  for (const wave of waves) {
    counting.reset();
    const waveStart = performance.now();
    await sendSignedWebhooks(webhookUrl, wave.events, { secret: BENCH_SIGNING_SECRET, senders: SENDERS });
    await drained(stack, { timeoutMs: WAVE_TIMEOUT_MS, pollMs: 100 });
    const seconds = (performance.now() - waveStart) / 1000;
    results.push({ type: wave.type, events: wave.events.length, seconds, calls: counting.counts.total, peak: counting.counts.peakInFlight, operations: new Map(counting.counts.byOperation) });
    console.error(`${wave.type}: ${wave.events.length} events in ${seconds.toFixed(1)} s, ${counting.counts.total} Odoo calls, peak ${counting.counts.peakInFlight} in flight`);
  }
  const totalSeconds = (performance.now() - startedAt) / 1000;
  const deadLettered = deadLetterCount(stack);
  if (deadLettered > 0) throw new Error(`${deadLettered} event(s) were dead-lettered: the burst did not land whole`);
  printReport(results, totalSeconds);
  if (results.some((result) => result.peak > concurrencyBound)) {
    throw new Error(`Odoo saw more concurrent requests than the configured bound ${concurrencyBound}`);
  }
} finally {
  await environment.close();
  await real?.dispose();
}



function printReport(results: { type: string; events: number; seconds: number; calls: number; peak: number; operations: Map<string, number> }[], totalSeconds: number): void {
  const events = results.reduce((sum, result) => sum + result.events, 0);
  const lines = [
    `Month-end burst: ${events} events (${CUSTOMERS} customers × 4), ${SENDERS} senders; ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`,
    `Odoo: ${real?.label ?? 'the in-memory Odoo sandbox'}; flow concurrency ${config.flowConcurrency} × ${config.odoo.maxConcurrentRequests} requests in flight per container = bound ${concurrencyBound} concurrent Odoo requests per flow`,
    '',
    '| Stripe event | events | events/s | Odoo calls / event | peak concurrent Odoo requests | calls by operation (per event) |',
    '|---|---:|---:|---:|---:|---|',
    ...results.map((result) => {
      const perOperation = [...result.operations]
        .sort((a, b) => b[1] - a[1])
        .map(([operation, count]) => `${operation} ${(count / result.events).toFixed(2)}`)
        .join(', ');
      return `| ${result.type} | ${result.events} | ${(result.events / result.seconds).toFixed(1)} | ${(result.calls / result.events).toFixed(2)} | ${result.peak} | ${perOperation} |`;
    }),
    `| **whole burst** | ${events} | ${(events / totalSeconds).toFixed(1)} | ${(results.reduce((sum, r) => sum + r.calls, 0) / events).toFixed(2)} | ${Math.max(...results.map((r) => r.peak))} | |`,
  ];
  console.log(lines.join('\n'));
}
