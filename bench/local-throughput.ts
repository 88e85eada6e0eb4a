#!/usr/bin/env node
/**
 * `npm run bench:local`: the local runtime's throughput and its own overhead, on this machine, against the
 * Odoo sandbox (127.0.0.1 only). Prints a Markdown table for BENCHMARKS.md.
 *
 * Two phases, on the real `stage=local` template and bundles:
 * 1. throughput: BENCH_EVENTS (default 400, at most 2000) signed `customer.created` webhooks from
 *    BENCH_SENDERS (16) concurrent senders; events/s = events / (first POST → last partner in Odoo).
 *    Stage throttling is off here (the stage allows 50 requests/s): this measures the runtime, not the quota.
 * 2. overhead: BENCH_PROBES (40) webhooks one at a time. Per event, the runtime's own overhead is the
 *    end-to-end time (POST → partner visible in Odoo) minus the time inside the two Lambda invocations on its
 *    path (ingest, and the consumer batch that carried it) and minus the mapping's batching window, which
 *    AWS waits too. What remains is API routing, the bus, the durable queue, polling and worker hand-offs.
 * The whole run stops after BENCH_TIME_LIMIT_SECONDS (180).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Stripe from 'stripe';
import { resolveStage } from '../lib/config/stages';
import { stackName } from '../lib/sync-stack';
import { startLocalStack } from '../local/runtime/local-stack';
import { OdooRecordReader } from '../local/runtime/odoo/odoo-record-reader';
import { synthesizeStack } from '../local/runtime/stack/synthesize';
import { SANDBOX_API_KEY, startOdooSandbox } from '../local/sandbox/odoo/server';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const CDK_OUT = join(PROJECT_ROOT, '.local', 'bench', 'cdk.out');
const SIGNING_SECRET = 'whsec_bench_only';
const EVENTS = Math.min(2000, Number(process.env.BENCH_EVENTS ?? 400));
const SENDERS = Math.min(64, Number(process.env.BENCH_SENDERS ?? 16));
const PROBES = Math.min(200, Number(process.env.BENCH_PROBES ?? 40));
const TIME_LIMIT_MS = Number(process.env.BENCH_TIME_LIMIT_SECONDS ?? 180) * 1000;
const benchDeadline = Date.now() + TIME_LIMIT_MS;

const { stage, config } = resolveStage('local');
if (process.env.LOCAL_SKIP_SYNTH !== '1') {
  console.error(`Synthesizing stage ${stage} into ${CDK_OUT} …`);
  await synthesizeStack({ projectRoot: PROJECT_ROOT, stage, outdir: CDK_OUT, quiet: true });
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-local-'));
const sandbox = await startOdooSandbox({ database: config.odoo.database, login: config.odoo.login, apiKey: SANDBOX_API_KEY });
const odooConnection = { url: sandbox.url, database: config.odoo.database, login: config.odoo.login, apiKey: SANDBOX_API_KEY };
const stack = await startLocalStack({
  cdkOut: CDK_OUT,
  stackName: stackName(stage),
  dataDir,
  port: 0,
  odoo: odooConnection,
  secretSeeds: { [config.stripe.webhookSecretName]: SIGNING_SECRET },
  functionEnvironment: { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
  apiThrottling: 'off',
});
const odoo = new OdooRecordReader(odooConnection);
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
  await stack.stop();
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
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
  const handlerTime = new Map<string, number>();
  const stopListening = stack.activity.onInvocation(({ functionName, event, durationMs }) => {
    // Attribute each invocation's wall time to the Stripe customer ids it carried.
    if (functionName !== ingestName && functionName !== consumerName) return;
    const carried = new Set([...JSON.stringify(event).matchAll(/cus_bench_[a-z0-9]+_probe\d+/g)].map((match) => match[0]));
    for (const customerId of carried) handlerTime.set(customerId, (handlerTime.get(customerId) ?? 0) + durationMs);
  });
  const endToEnd: number[] = [];
  const overhead: number[] = [];
  for (let index = 0; index < PROBES && Date.now() < benchDeadline; index++) {
    const customerId = `cus_bench_${runId}_probe${index}`;
    const sentAt = performance.now();
    await sendWebhook(customerId);
    await waitForPartners([customerId], 2);
    const total = performance.now() - sentAt;
    endToEnd.push(total);
    overhead.push(Math.max(0, total - (handlerTime.get(customerId) ?? 0) - batchingWindowMs));
  }
  stopListening();
  return { endToEnd, overhead, batchingWindowMs };
}

async function sendWebhook(customerId: string): Promise<number> {
  const event = {
    id: `evt_${customerId}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: customerId, object: 'customer', name: `Bench ${customerId}`, email: `${customerId}@bench.example`, address: { line1: '1 Bench Road', line2: null, city: 'Lyon', postal_code: '69001', state: null, country: 'FR' }, phone: null, metadata: {} } },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'customer.created',
  };
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) });
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
  console.log(`| end to end, one event at a time (${overhead.endToEnd.length} probes), p50 / p99 | ${ms(percentile(overhead.endToEnd, 0.5))} / ${ms(percentile(overhead.endToEnd, 0.99))} |`);
  for (const [functionName, { invocations, totalDurationMs }] of functionTotals) {
    console.log(`| λ ${functionName}: invocations, mean wall time (throughput phase) | ${invocations}, ${ms(totalDurationMs / Math.max(1, invocations))} |`);
  }
  console.log(`| runtime overhead per event (end to end − Lambda time − batching window), p50 / p99 | **${ms(percentile(overhead.overhead, 0.5))} / ${ms(percentile(overhead.overhead, 0.99))}** |`);
}
