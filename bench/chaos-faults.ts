/**
 * The faults of the chaos bench (bench/chaos.ts) and how one run under a fault is judged; the outage test
 * (test/e2e/odoo-outage.test.ts) runs one of them. Each fault gets a fresh stack (startHarness: the
 * synthesized stack on the local runtime, its own Odoo database or sandbox, a Stripe sandbox seeded with
 * the month) with two proxies at Odoo's door: the fault proxy the stack talks to, and behind it the
 * counting proxy of the burst bench, which counts the calls that did reach Odoo.
 *
 * A run sends a month of billing (bench/billing-month.ts) as a burst, injects its fault, waits until the
 * flow queues settle, and compares what Stripe sent with what Odoo holds: every invoice by `ref` with its
 * `amount_total`, every payment by `memo` with its amount — missing, duplicate, wrong — and what the DLQs
 * hold, each dead letter with its reason, matched against the poison the run put in on purpose.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CANONICAL_EVENT_SOURCE } from '../events/envelope';
import { LOCAL_CREDENTIALS } from '../local/runtime/local-aws-identity';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../local/runtime/local-stack';
import { SANDBOX_STRIPE_API_KEY } from '../local/sandboxes/stripe/server';
import {
  type DeadLetter,
  deadLetters,
  flowQueues,
  type Harness,
  type OdooUnderTest,
  PROJECT_ROOT,
  QUIET_FUNCTIONS,
  queueDepth,
  STACK_NAME,
  STAGE,
  startHarness,
  synthesizedCdkOut,
} from '../test/e2e/local-stack-harness';
import { invoicePaymentObject } from '../test/fixtures/stripe/billing-story';
import { signedHeader, stripeEvent, TEST_SIGNING_SECRET } from '../test/fixtures/stripe/stripe-events';
import { type OdooFaultProxy, startOdooFaultProxy } from '../test/support/odoo-fault-proxy';
import { type BillingMonth, billingMonth, MONTH_T0, sendSignedWebhooks, type StripeWebhookEvent } from './billing-month';
import { type OdooCountingProxy, startOdooCountingProxy } from './odoo-counting-proxy';

export type FaultName = 'outage-60s' | 'outage-15min' | 'errors-20pct' | 'latency-2s' | 'duplicates' | 'shuffled' | 'poison-1pct' | 'kill-9' | 'forged-10k';

export const FAULTS: readonly { name: FaultName; description: string; transient: boolean }[] = [
  { name: 'outage-60s', description: 'Odoo down 60 s mid-burst (connections refused)', transient: true },
  { name: 'outage-15min', description: 'Odoo down 15 min mid-burst (connections refused)', transient: true },
  { name: 'errors-20pct', description: '20 % of Odoo calls answered 502/503', transient: true },
  { name: 'latency-2s', description: '2 s added to every Odoo call', transient: true },
  { name: 'duplicates', description: 'every webhook delivered twice, concurrently', transient: true },
  { name: 'shuffled', description: 'the month delivered in a random order', transient: true },
  { name: 'poison-1pct', description: '1 % poison: malformed canonical events on the bus, payments in a currency not the invoice’s', transient: false },
  { name: 'kill-9', description: 'runtime killed (SIGKILL) mid-batch, restarted on its data', transient: true },
  { name: 'forged-10k', description: '10,000 forged or malformed webhooks', transient: false },
];

export interface ChaosSettings {
  readonly odoo: OdooUnderTest;
  readonly customers: number;
  /** Concurrent webhook senders. */
  readonly senders: number;
  /** How long a run may take to settle after its last webhook and the end of its fault. */
  readonly settleTimeoutMs: number;
  /** Scales the flows' retry delays (startHarness `retryDelayScale`); undefined: the real delays. */
  readonly retryDelayScale?: number;
  readonly log?: (line: string) => void;
}

export interface DocumentCheck {
  expected: number;
  missing: number;
  duplicate: number;
  /** Present once, but a total that is not Stripe's to the cent, or not posted / cancelled. */
  wrong: number;
}

export interface FaultResult {
  fault: FaultName;
  description: string;
  odoo: string;
  /** Webhooks accepted (200) plus events put on the bus directly. */
  events: number;
  durationSeconds: number;
  eventsPerSecond: number;
  /** Requests that reached Odoo (behind the fault proxy). */
  odooCalls: number;
  /** Requests the fault proxy failed or dropped. */
  faultedCalls: number;
  settled: boolean;
  invoices: DocumentCheck;
  payments: DocumentCheck;
  /** Poison documents that Odoo holds (must be 0). */
  poisonApplied: number;
  deadLetters: { total: number; expected: number; poisonMissing: number; unexpected: number; reasons: Record<string, number> };
  /** forged-10k: answers by status, and messages enqueued anywhere (must be 0). */
  webhookAnswers?: Record<string, number>;
  enqueued?: number;
  notes: string[];
  pass: boolean;
}

type Log = (line: string) => void;

interface Proxies {
  fault: OdooFaultProxy;
  counting: OdooCountingProxy;
}

/**
 * A fresh stack on a fresh Odoo (a new sandbox, or a new database of a real one named after the settings'
 * database and the fault) behind the two proxies.
 */
async function freshStack(settings: ChaosSettings, fault: FaultName): Promise<{ harness: Harness; proxies: Proxies }> {
  let proxies: Proxies | undefined;
  const odoo = settings.odoo.kind === 'real' ? { ...settings.odoo, database: `${settings.odoo.database}_${fault.replace(/[^a-z0-9]/g, '_')}` } : settings.odoo;
  const harness = await startHarness({
    odoo,
    // The stage allows 50 webhooks/s; a burst is about what Odoo takes, so the quota is lifted (as bench:burst does).
    apiThrottling: 'off',
    ...(settings.retryDelayScale === undefined ? {} : { retryDelayScale: settings.retryDelayScale }),
    odooProxy: async (odooUrl) => {
      const counting = await startOdooCountingProxy(odooUrl);
      const fault = await startOdooFaultProxy(counting.url);
      proxies = { fault, counting };
      return {
        url: fault.url,
        close: async () => {
          await fault.close();
          await counting.close();
        },
      };
    },
  });
  return { harness, proxies: proxies! };
}

/** Runs one fault on a fresh stack and judges it. */
export async function runFault(name: FaultName, settings: ChaosSettings): Promise<FaultResult> {
  const log: Log = settings.log ?? (() => undefined);
  const fault = FAULTS.find((candidate) => candidate.name === name);
  if (!fault) throw new Error(`unknown fault ${name}`);
  const runId = `${Date.now().toString(36)}${name.replace(/[^a-z0-9]/g, '').slice(0, 6)}`;
  const { harness, proxies } = await freshStack(settings, name);
  const odooLabel = settings.odoo.kind === 'real' ? `Odoo ${settings.odoo.version}` : 'Odoo sandbox';
  try {
    if (name === 'forged-10k') return await runForged(harness, proxies, fault, odooLabel, settings, log);
    const month = billingMonth(settings.customers, runId);
    await harness.seedStripe(month.stripeObjects);
    const run = await FAULT_RUNS[name](harness, proxies, month, settings, log);
    return await judge(harness, proxies, month, run, fault, odooLabel);
  } finally {
    await harness.close();
  }
}

/** What a fault's run did: what it sent, the poison it put in, how long it took, whether the queues settled. */
interface FaultRun {
  events: number;
  durationSeconds: number;
  settled: boolean;
  poison: Poison;
  notes: string[];
  /** What the DLQs held when the run settled, when not the harness's stack's (kill-9 judges the restarted runtime). */
  deadLetters?: DeadLetter[];
}

interface Poison {
  /** Substrings of the canonical event ids of poison messages (`:evt_…:`, `:inpay_…:`): what the DLQ must hold. */
  readonly ids: string[];
  /** Payments (memo) that must never be booked. */
  readonly payments: string[];
}

const NO_POISON: Poison = { ids: [], payments: [] };

/** The month in chronological order: every customer, then every subscription, invoice, payment (a month-end burst). */
const chronological = (month: BillingMonth): StripeWebhookEvent[] => month.waves.flatMap((wave) => wave.events);

const FAULT_RUNS: Record<Exclude<FaultName, 'forged-10k'>, (harness: Harness, proxies: Proxies, month: BillingMonth, settings: ChaosSettings, log: Log) => Promise<FaultRun>> = {
  'outage-60s': (harness, proxies, month, settings, log) => outage(harness, proxies, month, settings, log, 60_000),
  'outage-15min': (harness, proxies, month, settings, log) => outage(harness, proxies, month, settings, log, 15 * 60_000),
  'errors-20pct': (harness, proxies, month, settings, log) => underFault(harness, proxies, chronological(month), settings, log, { kind: 'errors', percent: 20 }),
  'latency-2s': (harness, proxies, month, settings, log) => underFault(harness, proxies, chronological(month), settings, log, { kind: 'latency', ms: 2000 }),
  duplicates: (harness, proxies, month, settings, log) => underFault(harness, proxies, chronological(month).flatMap((event) => [event, event]), settings, log, { kind: 'pass' }),
  shuffled: (harness, proxies, month, settings, log) => underFault(harness, proxies, shuffle(chronological(month), seededRandom(42)), settings, log, { kind: 'pass' }),
  'poison-1pct': poisoned,
  'kill-9': killed,
};

/** Sends `events` with the proxy in `fault` for the whole run (including the drain), then settles. */
async function underFault(harness: Harness, proxies: Proxies, events: readonly StripeWebhookEvent[], settings: ChaosSettings, log: Log, fault: Parameters<OdooFaultProxy['setFault']>[0]): Promise<FaultRun> {
  await proxies.fault.setFault(fault);
  const startedAt = performance.now();
  const accepted = await send(harness.webhookUrl, events, settings, log);
  const settled = await settle(harness.stack, settings.settleTimeoutMs, log);
  await proxies.fault.setFault({ kind: 'pass' });
  return { events: accepted.accepted, durationSeconds: (performance.now() - startedAt) / 1000, settled, poison: NO_POISON, notes: accepted.notes };
}

/**
 * Odoo's calls for a month cost about 16 per customer (4 webhooks × ~4 calls, BENCHMARKS.md): a fault
 * "mid-burst" starts once Odoo served a quarter of that, so three quarters of the work meet it.
 */
const midBurst = (proxies: Proxies, customers: number) => () => proxies.counting.counts.total >= 4 * customers;

/** Odoo goes down mid-burst for `downMs` (connections refused), while the rest of the burst keeps arriving. */
async function outage(harness: Harness, proxies: Proxies, month: BillingMonth, settings: ChaosSettings, log: Log, downMs: number): Promise<FaultRun> {
  const events = chronological(month);
  const startedAt = performance.now();
  const outageOver = waitUntil(midBurst(proxies, month.customers.length), settings.settleTimeoutMs).then(async () => {
    log(`  Odoo down for ${downMs / 1000} s (after ${proxies.counting.counts.total} Odoo calls)`);
    await proxies.fault.setFault({ kind: 'down' });
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await proxies.fault.setFault({ kind: 'pass' });
    log('  Odoo back');
  });
  const accepted = await send(harness.webhookUrl, events, settings, log);
  await outageOver;
  const settled = await settle(harness.stack, settings.settleTimeoutMs, log);
  const notes = [...accepted.notes, `connections dropped at the outage: ${proxies.fault.counts.droppedConnections}`];
  return { events: accepted.accepted, durationSeconds: (performance.now() - startedAt) / 1000, settled, poison: NO_POISON, notes };
}

/**
 * 1 % of the events are poison, in two kinds: a canonical `invoice.finalized` put on the bus by another
 * producer whose total is not an amount (the flow must refuse it at once: not a canonical event), and a
 * Stripe payment in USD on one of the month's EUR invoices (a payment Odoo must not book on that invoice).
 * Each must end in the DLQ with its reason, and nothing of them in Odoo.
 */
async function poisoned(harness: Harness, proxies: Proxies, month: BillingMonth, settings: ChaosSettings, log: Log): Promise<FaultRun> {
  const events = chronological(month);
  const poisonCount = Math.max(2, Math.round(events.length / 100));
  const random = seededRandom(7);
  const foreignPayments = month.customers.slice(0, Math.ceil(poisonCount / 2)).map((customer, index) => {
    const id = `inpay_poison${customer.invoice.slice(3)}`;
    return stripeEvent('invoice_payment.paid', invoicePaymentObject(id, { invoice: customer.invoice, currency: 'usd', amount: customer.total, paymentIntent: `pi_poison${index}`, paidAt: MONTH_T0 + 40 }), {
      created: MONTH_T0 + 40,
    });
  });
  const busPoison = Array.from({ length: poisonCount - foreignPayments.length }, (_, index) => malformedCanonicalInvoice(`evt_poison${month.customers[0]!.customer.slice(9)}x${index}`));
  const stream = [...events];
  for (const event of foreignPayments) stream.splice(Math.floor(random() * stream.length), 0, event);
  await harness.seedStripe(foreignPayments.map((event) => event.data.object as { id: string }));

  const startedAt = performance.now();
  let answered = 0;
  let putOnBus: Promise<void> | undefined;
  const accepted = await send(harness.webhookUrl, stream, settings, log, () => {
    answered += 1;
    // Mid-burst, as a misbehaving producer would.
    if (putOnBus === undefined && answered >= stream.length / 2) putOnBus = putCanonicalEvents(harness.stack, busPoison);
  });
  await putOnBus;
  const settled = await settle(harness.stack, settings.settleTimeoutMs, log);
  return {
    events: accepted.accepted + busPoison.length,
    durationSeconds: (performance.now() - startedAt) / 1000,
    settled,
    poison: { ids: [...busPoison.map((event) => `:${event.causationId}:`), ...foreignPayments.map((event) => `:${(event.data.object as { id: string }).id}:`)], payments: foreignPayments.map((event) => (event.data.object as { id: string }).id) },
    notes: [...accepted.notes, `poison: ${busPoison.length} malformed canonical events on the bus, ${foreignPayments.length} USD payments on EUR invoices`],
  };
}

/** The committed canonical sample with its own ids and a total that is not an amount. */
function malformedCanonicalInvoice(stripeEventId: string): { id: string; type: string; causationId: string } & Record<string, unknown> {
  const sampleEvent = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events', 'samples', 'invoice.finalized.v1.json'), 'utf8')) as Record<string, unknown> & { data: { invoice: Record<string, unknown> } };
  return {
    ...sampleEvent,
    id: `stripe:${stripeEventId}:invoice.finalized`,
    type: 'invoice.finalized',
    correlationId: `stripe:${stripeEventId}`,
    causationId: stripeEventId,
    data: { invoice: { ...sampleEvent.data.invoice, id: `in_${stripeEventId.slice(4)}`, total: '71.40' } },
  };
}

/** PutEvents as any producer on the bus would, through the local EventBridge endpoint. */
async function putCanonicalEvents(stack: LocalStack, events: readonly { type: string }[]): Promise<void> {
  const rule = stack.rules.find((candidate) => (candidate.eventPattern as { 'detail-type'?: string[] })['detail-type']?.includes('invoice.finalized'));
  if (!rule) throw new Error('no rule routes invoice.finalized');
  const client = new EventBridgeClient({ endpoint: stack.endpoints.eventBridge, region: stack.identity.region, credentials: LOCAL_CREDENTIALS });
  for (let start = 0; start < events.length; start += 10) {
    const entries = events.slice(start, start + 10).map((event) => ({ EventBusName: rule.busName, Source: CANONICAL_EVENT_SOURCE, DetailType: event.type, Detail: JSON.stringify(event) }));
    const result = await client.send(new PutEventsCommand({ Entries: entries }));
    if (result.FailedEntryCount) throw new Error(`PutEvents refused ${result.FailedEntryCount} poison event(s)`);
  }
  client.destroy();
}

/**
 * `kill -9` of the runtime in the middle of a batch: the stack runs as a child process (as `npm start`
 * does) on its own data directory, is killed once Odoo is mid-burst with requests in flight, and is started
 * again on the same data (in this process, so its queues can be read). The webhooks that got no answer are
 * delivered again to the restarted stack, as Stripe redelivers them. (The harness's own stack stays up,
 * idle: stopping it twice — here and in its close — is not supported.)
 */
async function killed(harness: Harness, proxies: Proxies, month: BillingMonth, settings: ChaosSettings, log: Log): Promise<FaultRun> {
  const events = chronological(month);
  const runtimeSettings: LocalStackOptions = {
    cdkOut: await synthesizedCdkOut(),
    stackName: STACK_NAME,
    dataDir: join(harness.dataDir, 'killed-runtime'),
    port: 0,
    odoo: { ...harness.odooConnection, url: proxies.fault.url },
    secretSeeds: { [STAGE.config.stripe.webhookSecretName]: TEST_SIGNING_SECRET, [STAGE.config.stripe.apiKeySecretName]: SANDBOX_STRIPE_API_KEY },
    functionEnvironment: { ...QUIET_FUNCTIONS, STRIPE_API_URL: harness.stripe.url },
    apiThrottling: 'off',
  };
  const child = await startRuntimeProcess(runtimeSettings);
  const startedAt = performance.now();
  const unanswered = new Set<StripeWebhookEvent>(events);
  let answered = 0;
  const sending = send(
    `${child.url}/webhooks/stripe`,
    events,
    settings,
    log,
    (status, event) => {
      if (status === 200) unanswered.delete(event);
      answered += 1;
    },
    { redeliver: false },
  );
  // Mid-batch: mid-burst, and Odoo serving requests of a batch right now.
  const midway = midBurst(proxies, month.customers.length);
  await waitUntil(() => midway() && proxies.counting.counts.inFlight > 0, settings.settleTimeoutMs);
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGKILL');
  const killedAt = answered;
  const callsAtKill = proxies.counting.counts.total;
  log(`  runtime killed after ${answered} webhooks answered, ${callsAtKill} Odoo calls, ${proxies.counting.counts.inFlight} in flight`);
  const firstDelivery = await sending;
  await exited;
  const restarted = await startLocalStack(runtimeSettings);
  try {
    const redelivered = [...unanswered];
    log(`  restarted; redelivering ${redelivered.length} unanswered webhooks`);
    const second = await send(`${restarted.url}/webhooks/stripe`, redelivered, settings, log);
    const settled = await settle(restarted, settings.settleTimeoutMs, log);
    return {
      events: firstDelivery.accepted + second.accepted,
      durationSeconds: (performance.now() - startedAt) / 1000,
      settled,
      poison: NO_POISON,
      notes: [...firstDelivery.notes, ...second.notes, `killed after ${killedAt} answers and ${callsAtKill} Odoo calls; ${redelivered.length} unanswered webhooks redelivered after the restart`],
      deadLetters: deadLetters(restarted),
    };
  } finally {
    await restarted.stop();
  }
}

async function startRuntimeProcess(settings: LocalStackOptions): Promise<{ process: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/e2e/local-stack-process.ts')], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOCAL_STACK_SETTINGS: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\S+)/.exec(output);
      if (ready?.[1]) resolve(ready[1]);
    });
    child.once('exit', (code) => reject(new Error(`the runtime exited (${String(code)}) before it was ready`)));
  });
  return { process: child, url };
}

/**
 * 10,000 requests no one should act on, in six kinds: signed with another secret, unsigned, signed an hour
 * ago (outside the 300 s window), a body changed after signing (401 all four); a signed body that is not
 * JSON, a signed JSON that is not a Stripe event (400). Nothing may be enqueued anywhere, nor reach Odoo.
 */
async function runForged(harness: Harness, proxies: Proxies, fault: (typeof FAULTS)[number], odooLabel: string, settings: ChaosSettings, log: Log): Promise<FaultResult> {
  const REQUESTS = 10_000;
  const genuine = JSON.stringify(stripeEvent('invoice.finalized', { id: 'in_forged', object: 'invoice' }));
  const kinds: { name: string; expected: number; request: () => { body: string; headers: Record<string, string> } }[] = [
    { name: 'another secret', expected: 401, request: () => ({ body: genuine, headers: { 'Stripe-Signature': signedHeader(genuine, { secret: 'whsec_attacker' }) } }) },
    { name: 'unsigned', expected: 401, request: () => ({ body: genuine, headers: {} }) },
    { name: 'stale timestamp', expected: 401, request: () => ({ body: genuine, headers: { 'Stripe-Signature': signedHeader(genuine, { timestamp: Math.floor(Date.now() / 1000) - 3600 }) } }) },
    { name: 'body changed after signing', expected: 401, request: () => ({ body: genuine.replace('in_forged', 'in_f0rged'), headers: { 'Stripe-Signature': signedHeader(genuine) } }) },
    { name: 'signed, not JSON', expected: 400, request: () => ({ body: '{"id": evt_', headers: { 'Stripe-Signature': signedHeader('{"id": evt_') } }) },
    { name: 'signed, not a Stripe event', expected: 400, request: () => ({ body: '{"hello":"world"}', headers: { 'Stripe-Signature': signedHeader('{"hello":"world"}') } }) },
  ];
  const answers: Record<string, number> = {};
  const unexpected: Record<string, number> = {};
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: settings.senders }, async () => {
      while (next < REQUESTS) {
        const kind = kinds[next++ % kinds.length]!;
        const { body, headers } = kind.request();
        const response = await fetch(harness.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        await response.arrayBuffer();
        answers[String(response.status)] = (answers[String(response.status)] ?? 0) + 1;
        if (response.status !== kind.expected) unexpected[`${kind.name}: ${response.status}`] = (unexpected[`${kind.name}: ${response.status}`] ?? 0) + 1;
      }
    }),
  );
  const durationSeconds = (performance.now() - startedAt) / 1000;
  // Anything accepted by mistake would be on a queue within a moment.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const enqueued = harness.stack.queueNames.reduce((sum, queue) => sum + harness.stack.queues.queueNamed(queue).storedMessages().length, 0);
  const letters = deadLetters(harness.stack);
  log(`  ${REQUESTS} requests in ${durationSeconds.toFixed(1)} s: ${JSON.stringify(answers)}; enqueued ${enqueued}`);
  const none: DocumentCheck = { expected: 0, missing: 0, duplicate: 0, wrong: 0 };
  const wrongAnswers = Object.values(unexpected).reduce((sum, count) => sum + count, 0);
  return {
    fault: fault.name,
    description: fault.description,
    odoo: odooLabel,
    events: REQUESTS,
    durationSeconds,
    eventsPerSecond: REQUESTS / durationSeconds,
    odooCalls: proxies.counting.counts.total,
    faultedCalls: 0,
    settled: true,
    invoices: none,
    payments: none,
    poisonApplied: 0,
    deadLetters: { total: letters.length, expected: 0, poisonMissing: 0, unexpected: letters.length, reasons: reasonsOf(letters) },
    webhookAnswers: answers,
    enqueued,
    notes: wrongAnswers === 0 ? [] : [`unexpected answers: ${JSON.stringify(unexpected)}`],
    pass: wrongAnswers === 0 && enqueued === 0 && letters.length === 0 && proxies.counting.counts.total === 0,
  };
}

/**
 * Posts the events; what is not answered 200 is delivered again (up to 5 more rounds, a second apart), as
 * Stripe redelivers a webhook that got no 2xx — unless `redeliver` is false (the runtime is about to be
 * killed: the caller redelivers to the restarted one). Counts accepted deliveries, notes other answers.
 */
async function send(
  webhookUrl: string,
  events: readonly StripeWebhookEvent[],
  settings: ChaosSettings,
  log: Log,
  answered?: (status: number, event: StripeWebhookEvent) => void,
  options: { redeliver?: boolean } = {},
): Promise<{ accepted: number; notes: string[] }> {
  let accepted = 0;
  const refused: Record<string, number> = {};
  let pending: StripeWebhookEvent[] = [...events];
  let redelivered = 0;
  for (let round = 0; pending.length > 0 && round < (options.redeliver === false ? 1 : 6); round += 1) {
    if (round > 0) {
      redelivered += pending.length;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const failed: StripeWebhookEvent[] = [];
    await sendSignedWebhooks(webhookUrl, pending, {
      secret: TEST_SIGNING_SECRET,
      senders: settings.senders,
      answered: (status, _body, event) => {
        if (status === 200) accepted += 1;
        else {
          refused[String(status)] = (refused[String(status)] ?? 0) + 1;
          failed.push(event as StripeWebhookEvent);
        }
        answered?.(status, event as StripeWebhookEvent);
      },
    });
    pending = failed;
  }
  const notes = Object.keys(refused).length === 0 ? [] : [`webhooks not answered 200: ${JSON.stringify(refused)} (0: no answer), ${redelivered} redelivered as Stripe does, ${pending.length} never accepted`];
  log(`  ${accepted}/${events.length} webhooks accepted${notes.length > 0 ? ` (${notes[0]})` : ''}`);
  return { accepted, notes };
}

/** Until every flow queue has been empty for 3 polls in a row; false when `timeoutMs` passed first. */
async function settle(stack: LocalStack, timeoutMs: number, log: Log): Promise<boolean> {
  const queues = flowQueues(stack).map(({ queue }) => queue);
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let lastReport = Date.now();
  while (quiet < 3) {
    if (Date.now() > deadline) {
      log(`  did not settle within ${timeoutMs / 1000} s: ${queues.map((queue) => `${queue} ${queueDepth(stack, queue)}`).join(', ')}`);
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const depth = queues.reduce((sum, queue) => sum + queueDepth(stack, queue), 0);
    quiet = depth === 0 ? quiet + 1 : 0;
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      log(`  … ${depth} messages still in the flow queues, ${deadLetters(stack).length} dead letters`);
    }
  }
  return true;
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the moment to inject the fault');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Compares what Stripe sent with what Odoo holds, and the DLQs with the poison. */
async function judge(harness: Harness, proxies: Proxies, month: BillingMonth, run: FaultRun, fault: (typeof FAULTS)[number], odooLabel: string): Promise<FaultResult> {
  const reader = harness.odoo;
  const invoices = await reader.searchRead<{ ref: string | false; amount_total: number; state: string }>(
    'account.move',
    [['ref', 'in', month.customers.map((customer) => customer.invoice)], ['move_type', '=', 'out_invoice']],
    ['ref', 'amount_total', 'state'],
  );
  const paymentMemos = [...month.customers.map((customer) => customer.payment), ...run.poison.payments];
  const payments = await reader.searchRead<{ memo: string | false; amount: number; state: string }>('account.payment', [['memo', 'in', paymentMemos]], ['memo', 'amount', 'state']);
  const cents = (amount: number) => Math.round(amount * 100);
  const invoiceCheck = check(
    month.customers.map((customer) => ({ key: customer.invoice, total: customer.total })),
    invoices.map((invoice) => ({ key: String(invoice.ref), total: cents(invoice.amount_total), ok: invoice.state === 'posted' })),
  );
  const livePayments = payments.filter((payment) => payment.state !== 'canceled' && payment.state !== 'cancel');
  const paymentCheck = check(
    month.customers.map((customer) => ({ key: customer.payment, total: customer.total })),
    livePayments.filter((payment) => !run.poison.payments.includes(String(payment.memo))).map((payment) => ({ key: String(payment.memo), total: cents(payment.amount), ok: true })),
  );
  const poisonApplied = livePayments.filter((payment) => run.poison.payments.includes(String(payment.memo))).length;

  const letters = run.deadLetters ?? deadLetters(harness.stack);
  const isPoison = (letter: DeadLetter) => run.poison.ids.some((id) => letter.eventId?.includes(id));
  const expectedLetters = letters.filter(isPoison);
  const poisonMissing = run.poison.ids.filter((id) => !letters.some((letter) => letter.eventId?.includes(id))).length;
  const unexpectedLetters = letters.filter((letter) => !isPoison(letter));
  // A poison message must carry its reason: one without is as bad as an unexpected one.
  const poisonWithoutReason = expectedLetters.filter((letter) => !letter.reason).length;

  const notes = [...run.notes];
  if (!run.settled) notes.push('the flow queues had not settled when the run was judged');
  if (poisonWithoutReason > 0) notes.push(`${poisonWithoutReason} poison dead letters carry no reason`);
  const pass =
    run.settled &&
    [invoiceCheck, paymentCheck].every((c) => c.missing === 0 && c.duplicate === 0 && c.wrong === 0) &&
    poisonApplied === 0 &&
    unexpectedLetters.length === 0 &&
    poisonMissing === 0 &&
    poisonWithoutReason === 0;
  return {
    fault: fault.name,
    description: fault.description,
    odoo: odooLabel,
    events: run.events,
    durationSeconds: run.durationSeconds,
    eventsPerSecond: run.events / run.durationSeconds,
    odooCalls: proxies.counting.counts.total,
    faultedCalls: proxies.fault.counts.injectedErrors + proxies.fault.counts.droppedConnections,
    settled: run.settled,
    invoices: invoiceCheck,
    payments: paymentCheck,
    poisonApplied,
    deadLetters: { total: letters.length, expected: expectedLetters.length, poisonMissing, unexpected: unexpectedLetters.length, reasons: reasonsOf(letters) },
    notes,
    pass,
  };
}

function check(expected: readonly { key: string; total: number }[], actual: readonly { key: string; total: number; ok: boolean }[]): DocumentCheck {
  const byKey = new Map<string, { total: number; ok: boolean }[]>();
  for (const record of actual) byKey.set(record.key, [...(byKey.get(record.key) ?? []), record]);
  let missing = 0;
  let duplicate = 0;
  let wrong = 0;
  for (const { key, total } of expected) {
    const found = byKey.get(key) ?? [];
    if (found.length === 0) missing += 1;
    else if (found.length > 1) duplicate += found.length - 1;
    else if (found[0]!.total !== total || !found[0]!.ok) wrong += 1;
  }
  return { expected: expected.length, missing, duplicate, wrong };
}

/** Dead letters counted by `ErrorType: reason`, ids and amounts taken out so that like reasons group. */
function reasonsOf(letters: readonly DeadLetter[]): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (const letter of letters) {
    const reason = `${letter.eventType ?? '?'} — ${letter.errorType ?? '?'}: ${(letter.reason ?? 'no reason').replace(/\b(in|inpay|cus|sub|evt|pi)_[A-Za-z0-9]+/g, '$1_…').replace(/\d+(\.\d+)?/g, 'N')}`;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  return reasons;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let index = result.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [result[index], result[other]] = [result[other]!, result[index]!];
  }
  return result;
}
