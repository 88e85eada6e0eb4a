import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReconciliationRunReport } from '../../functions/reconcile/reconcile-period';
import { resolveStage } from '../../lib/config/stages';
import { stackName } from '../../lib/sync-stack';
import { type DevEnvironmentOptions, startDevEnvironment, synthesizeWhenStale } from '../../local/dev-environment/dev-environment';
import { OdooRecordReader } from '../../local/dev-environment/odoo-record-reader';
import type { ProviderApi } from '../../local/dev-environment/provider-sandboxes';
import type { LocalStack, OdooConnection } from '../../local/runtime/local-stack';
import type { ExecutionRecord } from '../../local/runtime/stepfunctions/local-state-machines';
import { signedHeader, TEST_SIGNING_SECRET } from '../fixtures/stripe/stripe-events';
import { type OdooVersion, startRealOdoo } from '../support/real-odoo';

/**
 * What every end-to-end test needs: the real `stage=local` template and bundles (synthesized once for
 * all test files), an Odoo (the sandbox, or a real Odoo 18 or 19 with a fresh database), the provider sandboxes
 * (what the billing flows fetch missing dependencies from), and the local runtime on free ports with throwaway
 * data directories — composed by local/dev-environment, as `npm start` composes its own.
 */

export const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
/** Inside the repository, so the bundles resolve `@aws-sdk/*` from its node_modules as Lambda's runtime provides them. */
export const E2E_CDK_OUT = join(PROJECT_ROOT, '.local', 'e2e', 'cdk.out');
export const STAGE = resolveStage('local');
export const STACK_NAME = stackName(STAGE.stage);
/** Quiet functions: errors only, no EMF metrics lines in the test output. */
export const QUIET_FUNCTIONS = { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' };

/** Synthesizes stage `local` into `.local/e2e/cdk.out` unless a synth newer than every source file is there (shared by parallel test files). */
export function synthesizedCdkOut(): Promise<string> {
  return synthesizeWhenStale({ projectRoot: PROJECT_ROOT, stage: STAGE.stage, cdkOut: E2E_CDK_OUT });
}

/** The Odoo a scenario runs against: the sandbox (fast), or a real Odoo server of a version (the judge). */
export type OdooUnderTest = { readonly kind: 'sandbox' } | { readonly kind: 'real'; readonly version: OdooVersion; readonly database: string };

export const ODOO_SANDBOX: OdooUnderTest = { kind: 'sandbox' };

/**
 * How long a suite may take to start its stack: the first real Odoo of a version on a machine installs its
 * Debian packages and initializes a template database (a minute or more, longer while other suites run).
 */
export const REAL_ODOO_START_TIMEOUT_MS = 15 * 60_000;

/** `sandbox`, `Odoo 18.0`: how a suite names its Odoo. */
export function odooLabel(odoo: OdooUnderTest): string {
  return odoo.kind === 'sandbox' ? 'Odoo sandbox' : `real Odoo ${odoo.version}`;
}

export type { OdooConnection } from '../../local/runtime/local-stack';

export interface Harness {
  readonly stack: LocalStack;
  /** How the stack (and a test's own reader) reaches the Odoo under test. */
  readonly odooConnection: OdooConnection;
  /** A real Odoo server's controls (stop / start it: an outage); undefined for the sandbox. */
  readonly realOdoo: { stop(): Promise<void>; start(): Promise<void> } | undefined;
  readonly odoo: OdooRecordReader;
  /** The Stripe sandbox the functions read (`STRIPE_API_URL`), seeded by the test with `seedStripe`. */
  readonly stripe: { readonly url: string };
  readonly dataDir: string;
  readonly webhookUrl: string;
  /** Stores Stripe objects in the Stripe sandbox (a repeated id replaces the object), as the API will serve them. */
  seedStripe(objects: readonly Record<string, unknown>[]): Promise<void>;
  /** A provider's read API as the dev environment started it (its sandbox, its signer), by route. */
  providerApi(route: string): ProviderApi;
  /** The stack's `POST /webhooks/<route>`. */
  webhookUrlOf(route: string): string;
  /** Stops the runtime and starts it again on the same data (a restart of `npm start`). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  apiThrottling?: 'template' | 'off';
  /**
   * Runs the flows' retry delays faster by this factor (0.1: a 10–20 s backoff waits 1–2 s). The functions
   * still choose each delay (ChangeMessageVisibility) and the queue still counts deliveries towards the
   * DLQ: only the clock of a message waiting for its retry is sped up. Unset: real delays.
   */
  retryDelayScale?: number;
  /** The Odoo to run against (default: the sandbox). A real one gets a fresh database, dropped on close. */
  odoo?: OdooUnderTest;
  /**
   * Puts something between the stack and Odoo (a fault-injecting proxy): gets Odoo's URL, returns the URL the
   * stack uses, and how to close it.
   */
  odooProxy?: (odooUrl: string) => Promise<{ url: string; close(): Promise<void> }>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const cdkOut = await synthesizedCdkOut();
  const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-e2e-'));
  const target = options.odoo ?? ODOO_SANDBOX;
  const realOdoo = target.kind === 'real' ? await startRealOdoo(target.version, target.database) : undefined;
  const odoo: DevEnvironmentOptions['odoo'] =
    realOdoo === undefined
      ? { kind: 'sandbox', dataDir: join(dataDir, 'odoo') }
      : { kind: 'running', connection: realOdoo, description: odooLabel(target), close: realOdoo.dispose };
  const environment = await startDevEnvironment({
    projectRoot: PROJECT_ROOT,
    stage: STAGE.stage,
    cdkOut,
    synth: 'never',
    runtimeDataDir: join(dataDir, 'runtime'),
    port: 0,
    odoo,
    ...(options.odooProxy ? { odooProxy: options.odooProxy } : {}),
    providerApiData: (route) => ({ dataDir: join(dataDir, route) }),
    signingSecret: TEST_SIGNING_SECRET,
    functionEnvironment: QUIET_FUNCTIONS,
    ...(options.apiThrottling ? { apiThrottling: options.apiThrottling } : {}),
    ...(options.retryDelayScale === undefined ? {} : { onStarted: (stack: LocalStack) => speedUpRetries(stack, options.retryDelayScale!) }),
  });
  const stripeUrl = environment.providerApis.get('stripe')?.sandboxUrl;
  if (stripeUrl === undefined) throw new Error('the dev environment started no Stripe sandbox');
  const odooConnection: OdooConnection = environment.odoo.connection;
  return {
    get stack() {
      return environment.stack;
    },
    odooConnection,
    realOdoo: realOdoo === undefined ? undefined : { stop: realOdoo.stop, start: realOdoo.start },
    odoo: new OdooRecordReader(odooConnection),
    stripe: { url: stripeUrl },
    dataDir,
    get webhookUrl() {
      return `${environment.stack.url}/webhooks/stripe`;
    },
    seedStripe: async (objects: readonly Record<string, unknown>[]) => {
      const response = await fetch(`${stripeUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify(objects) });
      if (!response.ok) throw new Error(`seeding the Stripe sandbox: ${response.status} ${await response.text()}`);
    },
    providerApi: (route: string) => {
      const api = environment.providerApis.get(route);
      if (api === undefined) throw new Error(`the dev environment started no ${route} API`);
      return api;
    },
    webhookUrlOf: (route: string) => `${environment.stack.url}/webhooks/${route}`,
    restart: () => environment.restart(),
    close: async () => {
      await environment.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Shortens the wait of every failed flow message before its next delivery. The event source mapping records
 * a failure once the invocation is over, after the function set the message's retry delay: that delay
 * (what is left of it) is scaled down, so the retry comes sooner, in the same order, counted as usual.
 */
function speedUpRetries(stack: LocalStack, scale: number): void {
  for (const { queueName } of stack.eventSourceMappings) {
    const queue = stack.queues.queueNamed(queueName);
    const recordFailure = queue.recordFailure.bind(queue);
    queue.recordFailure = (receiptHandle, error) => {
      const recorded = recordFailure(receiptHandle, error);
      const message = queue.storedMessages().find((candidate) => candidate.receiptHandle === receiptHandle);
      const waitSeconds = message === undefined ? 0 : (message.visibleAt - Date.now()) / 1000;
      if (waitSeconds > 0) {
        // Deleted or received again meanwhile (the receipt handle is stale): nothing to speed up.
        void Promise.resolve()
          .then(() => queue.changeVisibility(receiptHandle, Math.max(0.2, waitSeconds * scale)))
          .catch(() => undefined);
      }
      return recorded;
    };
  }
}

/** POSTs a Stripe event as Stripe does: raw JSON body, `Stripe-Signature` computed by the official package. */
export async function postStripeWebhook(url: string, event: unknown, options: { secret?: string } = {}): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify(event);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'Stripe-Signature': signedHeader(payload, options.secret ? { secret: options.secret } : {}), 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
    body: payload,
  });
  return { status: response.status, body: await response.text() };
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, options: { timeoutMs?: number; what: string }): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Total messages (visible, in flight, delayed) in a queue. */
export function queueDepth(stack: LocalStack, queueName: string): number {
  const attributes = stack.queues.queueNamed(queueName).attributes();
  return ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'].reduce((sum, name) => sum + Number(attributes[name]), 0);
}

/** The flow queue and DLQ of the customer-sync flow, found through its rule as an operator would. */
export function customerSyncQueues(stack: LocalStack): { queue: string; deadLetterQueue: string } {
  const rule = stack.rules.find((candidate) => (candidate.eventPattern as { 'detail-type'?: string[] })['detail-type']?.includes('customer.upserted'));
  const queue = stack.queues.queueByArn(rule?.targets[0]?.arn ?? '');
  const deadLetterQueue = stack.queues.queueByArn(queue.redrivePolicy?.deadLetterTargetArn ?? '');
  return { queue: queue.name, deadLetterQueue: deadLetterQueue.name };
}

/** Every flow (event source mapping) queue with its DLQ, named after the consumer function. */
export function flowQueues(stack: LocalStack): { functionName: string; queue: string; deadLetterQueue: string | undefined }[] {
  return stack.eventSourceMappings.map(({ functionName, queueName }) => {
    const deadLetterArn = stack.queues.queueNamed(queueName).redrivePolicy?.deadLetterTargetArn;
    return { functionName, queue: queueName, deadLetterQueue: deadLetterArn === undefined ? undefined : stack.queues.queueByArn(deadLetterArn).name };
  });
}

/** A canonical event as the bus's archive kept it. */
export interface ArchivedCanonicalEvent {
  readonly detailType: string;
  readonly detail: Record<string, unknown> & { id: string; type: string; subject: string };
}

/** Every canonical event the bus archived so far, in archive order (the archive is the runtime's JSON Lines file). */
export function archivedCanonicalEvents(harness: Pick<Harness, 'dataDir'>): ArchivedCanonicalEvent[] {
  const dir = join(harness.dataDir, 'runtime', 'eventbridge');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.jsonl'))
    .flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter((line) => line.trim() !== ''))
    .map((line) => (JSON.parse(line) as { event: { 'detail-type': string; detail: ArchivedCanonicalEvent['detail'] } }).event)
    .map((event) => ({ detailType: event['detail-type'], detail: event.detail }));
}

export interface DeadLetter {
  readonly queue: string;
  readonly errorType: string | undefined;
  readonly reason: string | undefined;
  /** The canonical event type and id of the message, when it carries one. */
  readonly eventType: string | undefined;
  readonly eventId: string | undefined;
}

/** What sits in the flows' DLQs and the rule targets' DLQs, with the reason each message carries. */
export function deadLetters(stack: LocalStack): DeadLetter[] {
  const queues = [...flowQueues(stack).flatMap(({ deadLetterQueue }) => (deadLetterQueue === undefined ? [] : [deadLetterQueue])), ...stack.deadLetterQueueNames];
  return [...new Set(queues)].flatMap((queue) =>
    stack.queues
      .queueNamed(queue)
      .storedMessages()
      .map((message) => {
        let detail: { type?: string; id?: string } | undefined;
        try {
          detail = (JSON.parse(message.body) as { detail?: { type?: string; id?: string } }).detail;
        } catch {
          detail = undefined;
        }
        return {
          queue,
          errorType: message.messageAttributes['ErrorType']?.StringValue,
          reason: message.messageAttributes['FailureReason']?.StringValue ?? message.lastError,
          eventType: detail?.type,
          eventId: detail?.id,
        };
      }),
  );
}

/**
 * Until every flow queue has been empty (nothing visible, in flight or delayed) for a few polls in a row:
 * every event delivered so far was applied, dead-lettered or dropped. Returns what the DLQs hold.
 */
export async function waitForFlowsSettled(stack: LocalStack, options: { timeoutMs?: number; quietPolls?: number } = {}): Promise<DeadLetter[]> {
  const queues = flowQueues(stack).map(({ queue }) => queue);
  let quiet = 0;
  try {
    await waitFor(
      () => {
        quiet = queues.every((queue) => queueDepth(stack, queue) === 0) ? quiet + 1 : 0;
        return quiet >= (options.quietPolls ?? 3) || undefined;
      },
      { timeoutMs: options.timeoutMs ?? 60_000, what: 'the flow queues to drain' },
    );
  } catch (error) {
    const depths = queues.map((queue) => `${queue}: ${queueDepth(stack, queue)}`).join(', ');
    throw new Error(`${(error as Error).message} (${depths})`);
  }
  return deadLetters(stack);
}

/** The stack's state machine whose name holds `saga` (`onboarding`, `dunning`, `offboarding`). */
export function sagaArn(stack: LocalStack, saga: string): string {
  const arns = stack.stateMachines.stateMachineArns();
  const arn = arns.find((candidate) => candidate.includes(saga));
  if (!arn) throw new Error(`no ${saga} state machine among ${arns.join(', ')}`);
  return arn;
}

/** The onboarding runs a won deal started (`<system>` and the CRM's deal id, as `deal.won` names them). */
export function onboardingRunsOf(stack: LocalStack, deal: { system: string; id: string }): ExecutionRecord[] {
  return stack.stateMachines.listExecutions(sagaArn(stack, 'onboarding')).filter((execution) => {
    const won = (JSON.parse(execution.input) as { event: { data: { deal: { system: string; id: string } } } }).event.data.deal;
    return won.system === deal.system && won.id === deal.id;
  });
}

/**
 * Waits for a won deal's onboarding run to end and returns it. The flows' queues draining says nothing of a saga,
 * which runs on after the event that started it (and may undo what the flows made: its order cancelled).
 */
export async function onboardingEnded(stack: LocalStack, deal: { system: string; id: string }, timeoutMs = 150_000): Promise<ExecutionRecord> {
  return waitFor(() => onboardingRunsOf(stack, deal).find((execution) => execution.status !== 'RUNNING'), { timeoutMs, what: `the onboarding of ${deal.system} deal ${deal.id} to end` });
}

/**
 * The function the reconciliation schedule runs, found through the schedule rule that targets it, as an
 * operator would: the Lambda target of a schedule rule whose function is the stack's reconciliation.
 */
export function reconcileFunctionName(stack: LocalStack): string {
  const scheduled = stack.scheduleRules.flatMap((rule) => rule.targets.map((target) => target.arn.slice(target.arn.lastIndexOf(':') + 1)));
  const names = [...new Set(scheduled)].filter((name) => /^Reconcil/.test(stack.functions.get(name)?.logicalId ?? ''));
  if (names.length !== 1) throw new Error(`expected one scheduled reconciliation function, found ${JSON.stringify(names)} among schedule targets ${JSON.stringify(scheduled)}`);
  return names[0]!;
}

/**
 * Invokes the deployed reconciliation function with a manual period (`{ from, to }`, UTC days, both
 * included) as `aws lambda invoke` would, and returns its report. A function error throws with its type and message.
 */
export async function runReconciliation(stack: LocalStack, period: { from: string; to: string }): Promise<ReconciliationRunReport> {
  const functionName = reconcileFunctionName(stack);
  const result = await stack.invokeFunction(functionName, period);
  if (result.status !== 'succeeded') throw new Error(`${functionName} failed: ${result.error.errorType}: ${result.error.errorMessage}`);
  return result.payload as ReconciliationRunReport;
}
