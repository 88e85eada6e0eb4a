#!/usr/bin/env node
/**
 * `npm run bench:real-odoo`: what the stack makes of a real Odoo's capacity, side by side with writing to that
 * same Odoo by hand, in one run on this machine (issue 13).
 *
 * - Raw: one JSON-RPC call per record and step, as a point-to-point integration writes — partners (`create`),
 *   invoices (`create` + `action_post`, +2 for a draft whose number a concurrent post took: invoice-operations.ts), payments (the register wizard: `create` + `action_create_payments`) —
 *   from as many concurrent writers as the stage runs consumers per flow (`flowConcurrency`).
 * - Stack: the same documents through the local stack (stage `local`, real bundles, the stage's Odoo settings):
 *   signed Stripe webhooks (`customer.created`, `customer.subscription.created`, `invoice.finalized`,
 *   `invoice_payment.paid`), wave by wave, each wave timed from its first webhook to its flow queues drained;
 *   a counting proxy in front of Odoo gives the Odoo calls per event.
 *   Before them, BENCH_WARMUP_CUSTOMERS (default 20, 0 for none) other customers go through untimed, so the timed
 *   waves measure warm containers (steady state), not the local runtime's cold starts.
 * - Lone events: BENCH_LONE_EVENTS customers sent one at a time, each timed from its webhook to its partner
 *   readable in Odoo (p50 / p99).
 *
 * The Odoo: ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_API_KEY when all are set; otherwise a real Odoo of
 * BENCH_ODOO_VERSION (18.0 or 19.0, default 18.0) from ../shared/odoo (test/support/real-odoo.ts) with a fresh
 * database, dropped at the end. BENCH_DOCUMENTS (default 60) documents of each kind. Prints Markdown for
 * BENCHMARKS.md. Every event must land: the bench fails if a dead-letter queue holds anything.
 */
import { cpus } from 'node:os';
import { OdooClient, resetDatabaseGuards } from '../functions/erp/odoo';
import { postMove } from '../functions/erp/odoo/invoice-operations';
import { resolveStage } from '../lib/config/stages';
import { OdooRecordReader } from '../local/dev-environment/odoo-record-reader';
import type { LocalStack, OdooConnection } from '../local/runtime/local-stack';
import { signedHeader, stripeEvent } from '../test/fixtures/stripe/stripe-events';
import { customerObject } from '../test/fixtures/stripe/billing-story';
import { BENCH_SIGNING_SECRET, chooseRealOdoo, deadLetterCount, drained, startBenchEnvironment } from './bench-environment';
import { billingMonth, MONTH_CURRENCY, sendSignedWebhooks } from './billing-month';
import { type OdooCountingProxy, startOdooCountingProxy } from './odoo-counting-proxy';

const DOCUMENTS = positiveInteger('BENCH_DOCUMENTS', 60);
const LONE_EVENTS = positiveInteger('BENCH_LONE_EVENTS', 20);
const SENDERS = positiveInteger('BENCH_SENDERS', 16);
const WARMUP_CUSTOMERS = positiveInteger('BENCH_WARMUP_CUSTOMERS', 20, 0);
const WAVE_TIMEOUT_MS = positiveInteger('BENCH_WAVE_TIMEOUT_SECONDS', 1800) * 1000;

const { config } = resolveStage('local');
const concurrency = config.flowConcurrency;

const { odoo: target, label: odooLabel, dispose: disposeOdoo } = await chooseRealOdoo('bench_real_odoo');
let proxy: OdooCountingProxy | undefined;
try {
  const environment = await startBenchEnvironment({
    name: 'real-odoo',
    odoo: { kind: 'running', connection: target, description: odooLabel },
    odooProxy: async (odooUrl) => (proxy = await startOdooCountingProxy(odooUrl)),
  });
  try {
    const counting = proxy!;
    const raw = await measureRaw(target);
    const stack = await measureStack(environment.stack, environment.providerApis.get('stripe')!.sandboxUrl!, counting, target);
    const lone = await measureLoneEvents(environment.stack, target);
    printReport(raw, stack, lone);
  } finally {
    await environment.close();
  }
} finally {
  await disposeOdoo();
}

interface Rate {
  readonly documents: number;
  readonly seconds: number;
}
function perSecond(rate: Rate): number {
  return rate.documents / rate.seconds;
}

/** One call per record and step, `concurrency` writers: what a hand-written integration does. */
async function measureRaw(odoo: OdooConnection): Promise<{ customers: Rate; invoices: Rate; payments: Rate }> {
  resetDatabaseGuards();
  const client = new OdooClient({
    connection: { url: odoo.url, database: odoo.database, login: odoo.login, ratePerSecond: 100, maxConcurrency: concurrency },
    apiKey: { get: async () => odoo.apiKey, invalidate: () => undefined },
  });
  const runId = Date.now().toString(36);
  const indexes = Array.from({ length: DOCUMENTS }, (_, index) => index);
  const partners: number[] = [];
  const customers = await timed(() =>
    inParallel(indexes, async (index) => {
      const [id] = await client.call<number[]>('res.partner', 'create', { vals_list: [{ name: `Raw Customer ${index}`, ref: `raw_${runId}_${index}`, email: `raw${index}@bench.example`, is_company: true }] });
      partners[index] = id!;
    }),
  );
  console.error(`raw customers: ${DOCUMENTS} in ${customers.toFixed(1)} s`);
  const invoiceIds: number[] = [];
  const invoices = await timed(() =>
    inParallel(indexes, async (index) => {
      const [id] = await client.call<number[]>('account.move', 'create', {
        vals_list: [
          {
            move_type: 'out_invoice',
            partner_id: partners[index],
            ref: `raw_in_${runId}_${index}`,
            invoice_line_ids: [[0, 0, { name: 'Team plan (monthly)', quantity: 1 + (index % 5), price_unit: 49, tax_ids: [[6, 0, []]] }]],
          },
        ],
      });
      // What any integration must do too: a draft whose number a concurrent post took is renumbered and posted again.
      await postMove(client, id!);
      invoiceIds[index] = id!;
    }),
  );
  console.error(`raw invoices: ${DOCUMENTS} in ${invoices.toFixed(1)} s`);
  const payments = await timed(() =>
    inParallel(indexes, async (index) => {
      const context = { active_model: 'account.move', active_ids: [invoiceIds[index]] };
      const [wizard] = await client.call<number[]>('account.payment.register', 'create', { vals_list: [{ communication: `raw_pay_${runId}_${index}` }], context });
      await client.call('account.payment.register', 'action_create_payments', { ids: [wizard], context });
    }),
  );
  console.error(`raw payments: ${DOCUMENTS} in ${payments.toFixed(1)} s`);
  return { customers: { documents: DOCUMENTS, seconds: customers }, invoices: { documents: DOCUMENTS, seconds: invoices }, payments: { documents: DOCUMENTS, seconds: payments } };
}

interface StackWave extends Rate {
  readonly type: string;
  readonly calls: number;
  readonly operations: Map<string, number>;
  readonly peak: number;
}

/** The month's four waves through the stack, each timed from its first webhook to its queues drained. */
async function measureStack(stack: LocalStack, stripeUrl: string, counting: OdooCountingProxy, odoo: OdooConnection): Promise<StackWave[]> {
  const month = billingMonth(DOCUMENTS);
  // What a flow fetches when an event overtakes its dependency; in these ordered waves it is not needed.
  const seeded = await fetch(`${stripeUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify(month.stripeObjects) });
  if (!seeded.ok) throw new Error(`seeding the Stripe sandbox: ${seeded.status}`);
  const webhookUrl = `${stack.url}/webhooks/stripe`;
  // Untimed: a wave of other customers first, so the timed waves meet warm containers, as a deployed stack under
  // steady load does. Without it the first timed wave paid the cold starts of 16 ingest and 2 consumer workers on
  // this 2-core machine (3–10 s of a 5–17 s wave), which the raw side, a warm client, never pays.
  if (WARMUP_CUSTOMERS > 0) {
    // Their own email domains: the month's customers share none with them, so none joins a warm-up customer's partner.
    const runId = Date.now().toString(36);
    const warmup = Array.from({ length: WARMUP_CUSTOMERS }, (_, index) =>
      stripeEvent('customer.created', customerObject(`cus_warm${runId}${index}`, { name: `Warm-up Customer ${index}`, email: `billing@warm${index}.bench.example`, currency: MONTH_CURRENCY })),
    );
    await sendSignedWebhooks(webhookUrl, warmup, { secret: BENCH_SIGNING_SECRET, senders: SENDERS });
    await drained(stack, { timeoutMs: WAVE_TIMEOUT_MS, pollMs: 20 });
    console.error(`stack warm-up: ${warmup.length} customers (untimed)`);
  }
  const results: StackWave[] = [];
  for (const wave of month.waves) {
    counting.reset();
    const seconds = await timed(async () => {
      await sendSignedWebhooks(webhookUrl, wave.events, { secret: BENCH_SIGNING_SECRET, senders: SENDERS });
      await drained(stack, { timeoutMs: WAVE_TIMEOUT_MS, pollMs: 20 });
    });
    results.push({ type: wave.type, documents: wave.events.length, seconds, calls: counting.counts.total, operations: new Map(counting.counts.byOperation), peak: counting.counts.peakInFlight });
    console.error(`stack ${wave.type}: ${wave.events.length} events in ${seconds.toFixed(1)} s, ${counting.counts.total} Odoo calls, peak ${counting.counts.peakInFlight} in flight`);
  }
  const deadLettered = deadLetterCount(stack);
  if (deadLettered > 0) throw new Error(`${deadLettered} event(s) were dead-lettered: the stack did not book every document`);
  const reader = new OdooRecordReader(odoo);
  const partners = await reader.existingRefs(month.customers.map((customer) => customer.customer));
  if (partners.size !== month.customers.length) throw new Error(`${month.customers.length - partners.size} partner(s) missing in Odoo after the customer wave`);
  const posted = await reader.searchRead<{ ref: string }>('account.move', [['ref', 'in', month.customers.map((customer) => customer.invoice)], ['state', '=', 'posted']], ['ref']);
  if (posted.length !== month.customers.length) throw new Error(`${month.customers.length - posted.length} invoice(s) not posted in Odoo after the invoice wave`);
  return results;
}

/** Customers sent one at a time: webhook → partner readable in Odoo. */
async function measureLoneEvents(stack: LocalStack, odoo: OdooConnection): Promise<number[]> {
  const reader = new OdooRecordReader(odoo);
  const runId = Date.now().toString(36);
  const latencies: number[] = [];
  for (let index = 0; index < LONE_EVENTS; index++) {
    const customerId = `cus_lone${runId}${index}`;
    const payload = JSON.stringify(stripeEvent('customer.created', customerObject(customerId, { name: `Lone Customer ${index}`, email: `billing@lone${index}.bench.example`, currency: MONTH_CURRENCY })));
    const startedAt = performance.now();
    const response = await fetch(`${stack.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Stripe-Signature': signedHeader(payload, { secret: BENCH_SIGNING_SECRET }) },
      body: payload,
    });
    if (response.status !== 200) throw new Error(`lone webhook answered ${response.status}: ${await response.text()}`);
    while ((await reader.existingRefs([customerId])).size === 0) {
      if (performance.now() - startedAt > 60_000) throw new Error(`${customerId} not in Odoo after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    latencies.push(performance.now() - startedAt);
    await drained(stack, { timeoutMs: WAVE_TIMEOUT_MS, pollMs: 20 });
  }
  return latencies;
}

function printReport(raw: Awaited<ReturnType<typeof measureRaw>>, stack: StackWave[], lone: number[]): void {
  const wave = (type: string) => stack.find((result) => result.type === type)!;
  const kinds = [
    { name: 'customers (partners)', raw: raw.customers, stack: wave('customer.created'), rawCalls: 1 },
    { name: 'invoices (create + post)', raw: raw.invoices, stack: wave('invoice.finalized'), rawCalls: 2 },
    { name: 'payments', raw: raw.payments, stack: wave('invoice_payment.paid'), rawCalls: 2 },
  ];
  const cpu = cpus();
  console.log(`\n### Real Odoo, raw vs the stack (${new Date().toISOString().slice(0, 10)})\n`);
  console.log(`Command: \`BENCH_DOCUMENTS=${DOCUMENTS} npm run bench:real-odoo\` against ${odooLabel}. Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}.`);
  console.log(
    `Concurrency: ${concurrency} writers raw, ${concurrency} consumers per flow in the stack; the stack's Odoo protection ${config.odoo.maxRequestsPerSecond} requests/s and ${config.odoo.maxConcurrentRequests} in flight per container, writes merged within ${config.odoo.batchWindowMs} ms up to ${config.odoo.maxBatchSize} per call; ${WARMUP_CUSTOMERS} customers sent untimed first (warm containers).\n`,
  );
  console.log('| documents | raw /s | raw Odoo calls per document | stack /s | stack Odoo calls per event | stack / raw |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const kind of kinds) {
    console.log(
      `| ${kind.name} (${kind.raw.documents}) | ${perSecond(kind.raw).toFixed(1)} | ${kind.rawCalls} | ${perSecond(kind.stack).toFixed(1)} | ${(kind.stack.calls / kind.stack.documents).toFixed(2)} | **${(perSecond(kind.stack) / perSecond(kind.raw)).toFixed(2)}×** |`,
    );
  }
  const subscriptions = wave('customer.subscription.created');
  console.log(`\nSubscriptions (no raw counterpart): ${perSecond(subscriptions).toFixed(1)}/s, ${(subscriptions.calls / subscriptions.documents).toFixed(2)} Odoo calls per event.`);
  console.log('\nOdoo calls per event by operation (stack):\n');
  console.log('| wave | operation | calls per event |');
  console.log('|---|---|---:|');
  for (const result of stack) {
    for (const [operation, calls] of [...result.operations].sort((left, right) => right[1] - left[1])) {
      console.log(`| ${result.type} | ${operation} | ${(calls / result.documents).toFixed(2)} |`);
    }
  }
  console.log(`\nLone events (${lone.length} customers one at a time), webhook → partner readable in Odoo: p50 ${percentile(lone, 0.5).toFixed(0)} ms, p99 ${percentile(lone, 0.99).toFixed(0)} ms.`);
  console.log(`Peak Odoo requests in flight (stack): ${Math.max(...stack.map((result) => result.peak))}.`);
}

async function timed(work: () => Promise<void>): Promise<number> {
  const startedAt = performance.now();
  await work();
  return (performance.now() - startedAt) / 1000;
}

/** `work` for every item, `concurrency` at a time. */
async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}



function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function positiveInteger(name: string, fallback: number, minimum = 1): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${name} must be a whole number ≥ ${minimum}, got ${process.env[name]}`);
  return value;
}
