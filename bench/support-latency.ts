#!/usr/bin/env node
/**
 * `npm run bench:support`: webhook → Zendesk organization updated, through the local stack (stage `local`, its
 * bundles, the Odoo and Zendesk sandboxes). What the issue promises: a failed payment shows as past due in Zendesk
 * within seconds of the webhook. Prints a Markdown table for BENCHMARKS.md.
 *
 * One customer is set up (Stripe customer and active subscription, its canonical link seeded as the identity flow
 * makes it), then BENCH_PROBES (default 20) rounds, one at a time: a signed `invoice.payment_failed` of a new invoice
 * (→ past due), then that invoice's `invoice_payment.paid` (→ active). Each webhook's latency is from its POST to
 * the moment the organization's standing field reads the new value in the Zendesk sandbox (polled every
 * BENCH_POLL_MS, 10 ms: the figures are that much coarse). The billing flows run on the same events (they are
 * what the stack does with them), so the figures include their competition for the machine.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import Stripe from 'stripe';
import { resolveStage } from '../lib/config/stages';
import { LOCAL_CREDENTIALS } from '../local/runtime/local-aws-identity';
import { SANDBOX_ZENDESK_API_EMAIL, SANDBOX_ZENDESK_API_TOKEN } from '../local/sandboxes/zendesk/server';
import { customerObject, invoiceObject, invoicePaymentObject, subscriptionObject } from '../test/fixtures/stripe/billing-story';
import { stripeEvent } from '../test/fixtures/stripe/stripe-events';
import { BENCH_SIGNING_SECRET, deadLetterCount, drained, startBenchEnvironment } from './bench-environment';

const PROBES = Math.min(200, Number(process.env.BENCH_PROBES ?? 20));
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 10);
const TIMEOUT_MS = 30_000;
const { config } = resolveStage('local');
const STANDING_FIELD = config.zendesk!.organizationFields.standing;
const runId = Date.now().toString(36);
const customer = `cus_zbench_${runId}`;
const canonical = `cust_zbench_${runId}`;
const lines = [{ price: 'price_pro_monthly', description: 'Pro (monthly)', quantity: 1, unitAmount: 2000 }];
const T0 = Math.floor(Date.now() / 1000) - 86400;

const environment = await startBenchEnvironment({ name: 'support' });
const { stack } = environment;
const stripeUrl = environment.providerApis.get('stripe')!.sandboxUrl!;
const zendeskUrl = environment.providerApis.get('zendesk')!.sandboxUrl!;
const stripe = new Stripe('sk_test_bench');
const authorization = `Basic ${Buffer.from(`${SANDBOX_ZENDESK_API_EMAIL}/token:${SANDBOX_ZENDESK_API_TOKEN}`).toString('base64')}`;

try {
  await seedStripe([customerObject(customer, { name: `Bench ${runId} Ltd`, email: 'bench@example.com', currency: 'usd' }), subscriptionObject(`sub_zbench_${runId}`, { customer, currency: 'usd', status: 'active', lines, created: T0 })]);
  await linkCanonical();
  await send(stripeEvent('customer.created', customerObject(customer, { name: `Bench ${runId} Ltd`, email: 'bench@example.com', currency: 'usd' }), { id: `evt_zb_${runId}_c`, created: T0 }));
  await send(stripeEvent('customer.subscription.created', subscriptionObject(`sub_zbench_${runId}`, { customer, currency: 'usd', status: 'active', lines, created: T0 }), { id: `evt_zb_${runId}_s`, created: T0 + 1 }));
  await untilStanding('active', Date.now());

  const failedMs: number[] = [];
  const restoredMs: number[] = [];
  for (let round = 0; round < PROBES; round++) {
    const invoice = `in_zbench_${runId}_${round}`;
    const at = T0 + 10 + round * 10;
    const open = invoiceObject(invoice, { customer, customerName: `Bench ${runId} Ltd`, currency: 'usd', lines, subscription: `sub_zbench_${runId}`, finalizedAt: at });
    await seedStripe([
      invoiceObject(invoice, { customer, customerName: `Bench ${runId} Ltd`, currency: 'usd', lines, subscription: `sub_zbench_${runId}`, finalizedAt: at, status: 'paid', attemptCount: 2, paidAt: at + 5 }),
      invoicePaymentObject(`inpay_zbench_${runId}_${round}`, { invoice, currency: 'usd', amount: 2000, paymentIntent: `pi_zbench_${runId}_${round}`, paidAt: at + 5 }),
    ]);
    const failedAt = Date.now();
    await send(stripeEvent('invoice.payment_failed', { ...open, attempt_count: 1, attempted: true, last_finalization_error: null }, { id: `evt_zb_${runId}_f${round}`, created: at + 1 }));
    failedMs.push(await untilStanding('past_due', failedAt));
    const paidAt = Date.now();
    await send(stripeEvent('invoice_payment.paid', invoicePaymentObject(`inpay_zbench_${runId}_${round}`, { invoice, currency: 'usd', amount: 2000, paymentIntent: `pi_zbench_${runId}_${round}`, paidAt: at + 5 }), { id: `evt_zb_${runId}_p${round}`, created: at + 5 }));
    restoredMs.push(await untilStanding('active', paidAt));
  }
  await drained(stack, { timeoutMs: 120_000, pollMs: 200 });
  const dead = deadLetterCount(stack);
  console.log(`\n| webhook → Zendesk organization updated | probes | p50 | p99 | max |\n|---|---:|---:|---:|---:|`);
  for (const [label, samples] of [['payment failed → past due', failedMs], ['payment succeeded → active', restoredMs]] as const) {
    console.log(`| ${label} | ${samples.length} | ${percentile(samples, 50)} ms | ${percentile(samples, 99)} ms | ${Math.max(...samples)} ms |`);
  }
  console.log(`\nDead letters: ${dead}. Poll interval ${POLL_MS} ms.`);
  if (dead > 0) process.exitCode = 1;
} finally {
  await environment.close();
}

async function seedStripe(objects: readonly Record<string, unknown>[]): Promise<void> {
  const response = await fetch(`${stripeUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify(objects) });
  if (!response.ok) throw new Error(`seeding the Stripe sandbox: ${response.status}`);
}

async function linkCanonical(): Promise<void> {
  const table = [...stack.functions.values()].find((fn) => fn.environment['IDENTITY_MAP_TABLE'] !== undefined)!.environment['IDENTITY_MAP_TABLE'];
  const dynamodb = new DynamoDBClient({ endpoint: stack.endpoints.dynamodb, region: stack.identity.region, credentials: LOCAL_CREDENTIALS });
  await dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `stripe:customer:${customer}` }, sk: { S: 'saas_sync#customer' }, systemKey: { S: `saas_sync:customer:${canonical}` }, id: { S: canonical } } }));
  dynamodb.destroy();
}

async function send(event: unknown): Promise<void> {
  const payload = JSON.stringify(event);
  const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: BENCH_SIGNING_SECRET });
  const response = await fetch(`${stack.url}/webhooks/stripe`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature }, body: payload });
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
}

/** Milliseconds from `since` until the organization's standing reads `standing`. */
async function untilStanding(standing: string, since: number): Promise<number> {
  for (;;) {
    const response = await fetch(`${zendeskUrl}/api/v2/organizations/search?external_id=${canonical}`, { headers: { Authorization: authorization } });
    const [organization] = ((await response.json()) as { organizations: { organization_fields: Record<string, string> }[] }).organizations;
    if (organization?.organization_fields[STANDING_FIELD] === standing) return Date.now() - since;
    if (Date.now() - since > TIMEOUT_MS) throw new Error(`the organization did not read ${standing} within ${TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
