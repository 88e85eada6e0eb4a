import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveStage } from '../../lib/config/stages';
import { stackName } from '../../lib/sync-stack';
import { startLocalStack, type LocalStack } from '../../local/runtime/local-stack';
import { OdooRecordReader } from '../../local/runtime/odoo/odoo-record-reader';
import { synthesizeStack } from '../../local/runtime/stack/synthesize';
import { SANDBOX_API_KEY, startOdooSandbox, type OdooSandbox } from '../../local/sandbox/odoo/server';
import { signedHeader, TEST_SIGNING_SECRET } from '../fixtures/stripe/stripe-events';

/**
 * What every end-to-end test needs: the real `stage=local` template and bundles (synthesized once for
 * all test files), an Odoo sandbox, and the local runtime on free ports with throwaway data directories.
 */

export const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
/** Inside the repository, so the bundles resolve `@aws-sdk/*` from its node_modules as Lambda's runtime provides them. */
export const E2E_CDK_OUT = join(PROJECT_ROOT, '.local', 'e2e', 'cdk.out');
export const STAGE = resolveStage('local');
export const STACK_NAME = stackName(STAGE.stage);
const SOURCE_DIRECTORIES = ['bin/app.ts', 'lib', 'functions', 'events'];
/** Quiet functions: errors only, no EMF metrics lines in the test output. */
export const QUIET_FUNCTIONS = { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' };

/**
 * Synthesizes stage `local` into `.local/e2e/cdk.out` unless a synth newer than every source file is
 * there. Test files run in parallel processes: a lock directory makes one of them synthesize while the
 * others wait for it.
 */
export async function synthesizedCdkOut(): Promise<string> {
  const template = join(E2E_CDK_OUT, `${STACK_NAME}.template.json`);
  const lock = `${E2E_CDK_OUT}.lock`;
  mkdirSync(join(PROJECT_ROOT, '.local', 'e2e'), { recursive: true });
  for (;;) {
    if (isFresh(template)) return E2E_CDK_OUT;
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is synthesizing; a lock older than 3 minutes was left by a killed run.
      if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (!isFresh(template)) await synthesizeStack({ projectRoot: PROJECT_ROOT, stage: STAGE.stage, outdir: E2E_CDK_OUT, quiet: true });
      return E2E_CDK_OUT;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function isFresh(template: string): boolean {
  if (!existsSync(template)) return false;
  const synthesizedAt = statSync(template).mtimeMs;
  return SOURCE_DIRECTORIES.every((path) => newestModification(join(PROJECT_ROOT, path)) < synthesizedAt);
}

function newestModification(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestModification(join(path, entry))), stats.mtimeMs);
}

export interface Harness {
  readonly stack: LocalStack;
  readonly sandbox: OdooSandbox;
  readonly odoo: OdooRecordReader;
  readonly dataDir: string;
  readonly webhookUrl: string;
  /** Stops the runtime and starts it again on the same data (a restart of `npm start`). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: { apiThrottling?: 'template' | 'off' } = {}): Promise<Harness> {
  const cdkOut = await synthesizedCdkOut();
  const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-e2e-'));
  const sandbox = await startOdooSandbox({ dataDir: join(dataDir, 'odoo'), database: STAGE.config.odoo.database, login: STAGE.config.odoo.login, apiKey: SANDBOX_API_KEY });
  const start = () =>
    startLocalStack({
      cdkOut,
      stackName: STACK_NAME,
      dataDir: join(dataDir, 'runtime'),
      port: 0,
      odoo: { url: sandbox.url, database: STAGE.config.odoo.database, login: STAGE.config.odoo.login, apiKey: SANDBOX_API_KEY },
      secretSeeds: { [STAGE.config.stripe.webhookSecretName]: TEST_SIGNING_SECRET },
      functionEnvironment: QUIET_FUNCTIONS,
      ...(options.apiThrottling ? { apiThrottling: options.apiThrottling } : {}),
    });
  let stack = await start();
  const harness = {
    get stack() {
      return stack;
    },
    sandbox,
    odoo: new OdooRecordReader({ url: sandbox.url, database: STAGE.config.odoo.database, login: STAGE.config.odoo.login, apiKey: SANDBOX_API_KEY }),
    dataDir,
    get webhookUrl() {
      return `${stack.url}/webhooks/stripe`;
    },
    restart: async () => {
      await stack.stop();
      stack = await start();
    },
    close: async () => {
      await stack.stop();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
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
