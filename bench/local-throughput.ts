#!/usr/bin/env node
/**
 * `npm run bench:local`: the local runtime's throughput and its own overhead, on this machine, against the
 * Odoo sandbox (127.0.0.1 only). Prints a Markdown table for BENCHMARKS.md.
 *
 * Two phases, on the real `stage=local` template and bundles:
 * 1. throughput: BENCH_EVENTS (default 400, at most 2000) signed `customer.created` webhooks from
 *    BENCH_SENDERS (16) concurrent senders; events/s = events / (first POST → last partner in Odoo).
 *    Stage throttling is off here (the stage allows 50 requests/s): this measures the runtime, not the quota.
 * 2. overhead: BENCH_PROBES (40) webhooks one at a time, each followed through the runtime by its hops
 *    (StackActivity.onHop, and the handler times the workers measure). The runtime's own overhead per event
 *    is the time on the event's critical path (webhook received → consumer batch settled) that is neither
 *    the functions' own work nor the batching window:
 *      API Gateway      request received → ingest handler starts (routing, proxy event, worker hand-off)
 *      bus + queue      PutEvents received → message receivable (rule match, archive, SQS journal + fsync)
 *      queue → Lambda   message receivable → consumer handler starts, minus the window AWS waits too
 *      hand-back        consumer handler returns → batch settled (result back, messages deleted)
 *    Not counted: the handlers (their code, the AWS SDK's request building, DynamoDB, Odoo), and the
 *    ingest's SDK request reaching the endpoint. The completion is told by the runtime, not found by
 *    polling Odoo (the partner is checked once afterwards), so the bench does not compete with what it
 *    measures.
 * The whole run stops after BENCH_TIME_LIMIT_SECONDS (180).
 */
import { cpus } from 'node:os';
import Stripe from 'stripe';
import { DEFAULT_ODOO_CONNECTION } from '../functions/erp/odoo/odoo-config';
import { epochNow, type HopName } from '../local/runtime/stack/stack-activity';
import { OdooRecordReader } from '../local/dev-environment/odoo-record-reader';
import { BENCH_SIGNING_SECRET, startBenchEnvironment } from './bench-environment';

const EVENTS = Math.min(2000, Number(process.env.BENCH_EVENTS ?? 400));
const SENDERS = Math.min(64, Number(process.env.BENCH_SENDERS ?? 16));
const PROBES = Math.min(200, Number(process.env.BENCH_PROBES ?? 40));
const TIME_LIMIT_MS = Number(process.env.BENCH_TIME_LIMIT_SECONDS ?? 180) * 1000;
const benchDeadline = Date.now() + TIME_LIMIT_MS;

/** Where one probe event was at each point of its way, in epoch ms (sub-millisecond). */
type ProbeMarks = Partial<Record<HopName | 'sent' | 'answered' | `${'ingest' | 'consumer'}.${'invoked' | 'handlerStarted' | 'handlerEnded' | 'returned'}`, number>>;

/** The hops of the critical path, and whether each is the runtime's own time. */
const CRITICAL_PATH: readonly { label: string; from: keyof ProbeMarks; to: keyof ProbeMarks; runtime: boolean; minusWindow?: true }[] = [
  { label: 'API Gateway: request received → ingest handler starts', from: 'api.request', to: 'ingest.handlerStarted', runtime: true },
  { label: 'ingest handler until its PutEvents reaches the endpoint (function, SDK)', from: 'ingest.handlerStarted', to: 'events.received', runtime: false },
  { label: 'bus + queue: PutEvents received → message receivable (archive, journal fsync)', from: 'events.received', to: 'sqs.visible', runtime: true },
  { label: 'queue → Lambda: message receivable → consumer handler starts, − batching window', from: 'sqs.visible', to: 'consumer.handlerStarted', runtime: true, minusWindow: true },
  { label: 'consumer handler (function, DynamoDB, Odoo)', from: 'consumer.handlerStarted', to: 'consumer.handlerEnded', runtime: false },
  { label: 'hand-back: consumer handler returns → batch settled (messages deleted)', from: 'consumer.handlerEnded', to: 'mapping.settled', runtime: true },
];
/** Off the path to Odoo, on the webhook's answer. */
const WEBHOOK_ANSWER: readonly { label: string; from: keyof ProbeMarks; to: keyof ProbeMarks }[] = [
  { label: 'PutEvents received → answered (bus, archive and queue fsyncs)', from: 'events.received', to: 'events.answered' },
  { label: 'ingest handler returns → HTTP answer written', from: 'ingest.handlerEnded', to: 'api.response' },
];

const environment = await startBenchEnvironment({ name: 'local' });
const { stack } = environment;
const odoo = new OdooRecordReader(environment.odoo.connection);
const webhookUrl = `${stack.url}/webhooks/stripe`;
const runId = Date.now().toString(36);
const functionTotals = new Map<string, { invocations: number; totalDurationMs: number }>();

try {
  // Warm-up: first invocations load the bundles (cold starts, in AWS too), one per concurrent execution:
  // a burst as wide as the senders starts every execution environment before the figures are taken.
  const warmupIds = Array.from({ length: SENDERS }, (_, index) => `cus_bench_${runId}_warmup${index}`);
  await Promise.all(warmupIds.map((customerId) => sendWebhook(customerId)));
  await waitForPartners(warmupIds);

  const throughput = await measureThroughput();
  const overhead = await measureOverhead();
  printReport(throughput, overhead);
} finally {
  await environment.close();
}

async function measureThroughput() {
  const customerIds = Array.from({ length: EVENTS }, (_, index) => `cus_bench_${runId}_${index}`);
  const webhookLatencies: number[] = [];
  const startedAt = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < customerIds.length && Date.now() < benchDeadline) {
        const customerId = customerIds[next++] as string;
        const sentAt = performance.now();
        const status = await sendWebhook(customerId);
        if (status !== 200) throw new Error(`webhook for ${customerId} answered ${status}`);
        webhookLatencies.push(performance.now() - sentAt);
      }
    }),
  );
  const acceptedAt = performance.now();
  await waitForPartners(customerIds.slice(0, webhookLatencies.length));
  const landedAt = performance.now();
  for (const [functionName] of stack.functions) {
    const { invocations, totalDurationMs } = stack.activity.activityOf(functionName);
    functionTotals.set(functionName, { invocations, totalDurationMs });
  }
  return {
    events: webhookLatencies.length,
    webhooksPerSecond: webhookLatencies.length / ((acceptedAt - startedAt) / 1000),
    eventsPerSecond: webhookLatencies.length / ((landedAt - startedAt) / 1000),
    webhookLatencies,
  };
}

async function measureOverhead() {
  const ingestName = stack.webhookUrls()[0]?.functionName ?? '';
  const mapping = stack.eventSourceMappings[0];
  const consumerName = mapping?.functionName ?? '';
  const batchingWindowMs = (mapping?.maximumBatchingWindowInSeconds ?? 0) * 1000;
  const probeIdPattern = /cus_bench_[a-z0-9]+_probe\d+/g;
  const marks = new Map<string, ProbeMarks>();
  const settled = new Map<string, () => void>();
  const mark = (subject: string, name: keyof ProbeMarks, at: number) => {
    for (const [customerId] of subject.matchAll(probeIdPattern)) {
      const probe = marks.get(customerId) ?? {};
      probe[name] ??= at;
      marks.set(customerId, probe);
      if (name === 'mapping.settled') settled.get(customerId)?.();
    }
  };
  const stopHops = stack.activity.onHop(({ hop, at, subject }) => mark(subject, hop, at));
  const stopInvocations = stack.activity.onInvocation(({ functionName, event, startedAt, endedAt, handlerStartedAt, handlerEndedAt }) => {
    const role = functionName === ingestName ? 'ingest' : functionName === consumerName ? 'consumer' : undefined;
    if (!role) return;
    const subject = JSON.stringify(event);
    mark(subject, `${role}.invoked`, startedAt);
    mark(subject, `${role}.returned`, endedAt);
    if (handlerStartedAt !== undefined) mark(subject, `${role}.handlerStarted`, handlerStartedAt);
    if (handlerEndedAt !== undefined) mark(subject, `${role}.handlerEnded`, handlerEndedAt);
  });
  const probes: ProbeMarks[] = [];
  try {
    for (let index = 0; index < PROBES && Date.now() < benchDeadline; index++) {
      const customerId = `cus_bench_${runId}_probe${index}`;
      const done = new Promise<void>((resolveDone) => settled.set(customerId, resolveDone));
      const sentAt = epochNow();
      const status = await sendWebhook(customerId);
      const answeredAt = epochNow();
      if (status !== 200) throw new Error(`probe ${customerId} answered ${status}`);
      let giveUp: NodeJS.Timeout | undefined;
      try {
        await Promise.race([done, new Promise((_, reject) => (giveUp = setTimeout(() => reject(new Error(`probe ${customerId} never settled`)), 30_000)))]);
      } finally {
        clearTimeout(giveUp);
      }
      const probe = marks.get(customerId) ?? {};
      Object.assign(probe, { sent: sentAt, answered: answeredAt });
      probes.push(probe);
      // Quiet between probes: the next one must not share a batch or a window with this one.
      await new Promise((resolveWait) => setTimeout(resolveWait, 20));
    }
  } finally {
    stopHops();
    stopInvocations();
  }
  // The runtime said the batch settled; Odoo must agree (one query, after the timings are taken).
  await waitForPartners(probes.map((_, index) => `cus_bench_${runId}_probe${index}`));

  const span = (probe: ProbeMarks, from: keyof ProbeMarks, to: keyof ProbeMarks, minusWindow = false) => {
    const start = probe[from];
    const end = probe[to];
    if (start === undefined || end === undefined) throw new Error(`a probe has no ${start === undefined ? from : to} mark`);
    return end - start - (minusWindow ? batchingWindowMs : 0);
  };
  const criticalPath = CRITICAL_PATH.map((hop) => ({ ...hop, values: probes.map((probe) => span(probe, hop.from, hop.to, hop.minusWindow)) }));
  const webhookAnswer = WEBHOOK_ANSWER.map((hop) => ({ ...hop, values: probes.map((probe) => span(probe, hop.from, hop.to)) }));
  const overhead = probes.map((_, index) => criticalPath.filter((hop) => hop.runtime).reduce((sum, hop) => sum + (hop.values[index] ?? 0), 0));
  const endToEnd = probes.map((probe) => span(probe, 'sent', 'mapping.settled'));
  return { endToEnd, overhead, criticalPath, webhookAnswer, batchingWindowMs };
}

async function sendWebhook(customerId: string): Promise<number> {
  const event = {
    id: `evt_${customerId}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: customerId, object: 'customer', name: `Bench ${customerId}`, email: `billing@${customerId}.bench.example`, address: { line1: '1 Bench Road', line2: null, city: 'Lyon', postal_code: '69001', state: null, country: 'FR' }, phone: null, metadata: {} } },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'customer.created',
  };
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: BENCH_SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) });
  const response = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'Stripe-Signature': signature }, body: payload });
  await response.arrayBuffer();
  return response.status;
}

/** Polls Odoo (one query for all pending ids) until every customer has its partner. */
async function waitForPartners(customerIds: readonly string[], pollMs = 50): Promise<void> {
  const pending = new Set(customerIds);
  while (pending.size > 0) {
    if (Date.now() > benchDeadline + 60_000) throw new Error(`${pending.size} partners never reached Odoo`);
    const found = await odoo.existingRefs([...pending].slice(0, 500));
    for (const ref of found) pending.delete(ref);
    if (pending.size > 0) await new Promise((resolveWait) => setTimeout(resolveWait, pollMs));
  }
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function printReport(throughput: Awaited<ReturnType<typeof measureThroughput>>, overhead: Awaited<ReturnType<typeof measureOverhead>>): void {
  const cpu = cpus();
  const mapping = stack.eventSourceMappings[0];
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(`\n### Local runtime throughput (${new Date().toISOString().slice(0, 10)})\n`);
  console.log(`Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}. Odoo: sandbox 18.0 on 127.0.0.1. Stage throttling off; consumer: at most ${String(mapping?.maximumConcurrency)} concurrent batches of ${String(mapping?.batchSize)}, batching window ${overhead.batchingWindowMs / 1000} s (stage local).\n`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| events (webhook → Odoo partner), ${SENDERS} concurrent senders | ${throughput.events} |`);
  console.log(`| throughput, webhook → partner in Odoo | **${throughput.eventsPerSecond.toFixed(1)} events/s** |`);
  console.log(`| webhooks accepted (HTTP 200) per second | ${throughput.webhooksPerSecond.toFixed(1)} /s |`);
  console.log(`| webhook latency under load, p50 / p99 | ${ms(percentile(throughput.webhookLatencies, 0.5))} / ${ms(percentile(throughput.webhookLatencies, 0.99))} |`);
  console.log(`| end to end, one event at a time (${overhead.endToEnd.length} probes): POST → consumer batch settled, p50 / p99 | ${ms(percentile(overhead.endToEnd, 0.5))} / ${ms(percentile(overhead.endToEnd, 0.99))} |`);
  for (const [functionName, { invocations, totalDurationMs }] of functionTotals) {
    if (invocations === 0) continue;
    console.log(`| λ ${functionName}: invocations, mean wall time (throughput phase) | ${invocations}, ${ms(totalDurationMs / Math.max(1, invocations))} |`);
  }
  console.log(`| **runtime overhead per event** (critical path − handlers − batching window), p50 / p99 | **${ms(percentile(overhead.overhead, 0.5))} / ${ms(percentile(overhead.overhead, 0.99))}** |`);
  const odooRequestsPerSecond = (mapping?.maximumConcurrency ?? 5) * DEFAULT_ODOO_CONNECTION.ratePerSecond;
  console.log(`\nConsumer-side bound: ${String(mapping?.maximumConcurrency)} concurrent consumers × ${DEFAULT_ODOO_CONNECTION.ratePerSecond} Odoo requests/s per container (the Odoo client's rate limit, functions/erp/odoo/odoo-config.ts) = ${odooRequestsPerSecond} Odoo requests/s; a new customer costs one request.\n`);
  console.log(`Per hop, one event at a time (${overhead.endToEnd.length} probes; runtime = counted as the runtime's overhead):\n`);
  console.log('| hop | counted | p50 | p99 |');
  console.log('|---|---|---:|---:|');
  for (const hop of overhead.criticalPath) console.log(`| ${hop.label} | ${hop.runtime ? 'runtime' : 'function'} | ${ms(percentile(hop.values, 0.5))} | ${ms(percentile(hop.values, 0.99))} |`);
  for (const hop of overhead.webhookAnswer) console.log(`| (webhook answer, off the path to Odoo) ${hop.label} | — | ${ms(percentile(hop.values, 0.5))} | ${ms(percentile(hop.values, 0.99))} |`);
}
