import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStackOptions } from '../../local/runtime/local-stack';
import { OdooRecordReader } from '../../local/dev-environment/odoo-record-reader';
import { SANDBOX_API_KEY, startOdooSandbox, type OdooSandbox } from '../../local/sandboxes/odoo/server';
import { stripeEvent, stripeObjects, TEST_SIGNING_SECRET } from '../fixtures/stripe/stripe-events';
import { PROJECT_ROOT, postStripeWebhook, QUIET_FUNCTIONS, STACK_NAME, STAGE, synthesizedCdkOut, waitFor } from './local-stack-harness';

/**
 * `kill -9` of `npm start` in the middle of batches loses nothing: every webhook answered 200 ends as
 * exactly one Odoo partner once the runtime is started again on the same data directory.
 */

const CUSTOMERS = 40;
let sandbox: OdooSandbox;
let dataDir: string;
let runtime: ChildProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-stack-crash-'));
  sandbox = await startOdooSandbox({ dataDir: join(dataDir, 'odoo'), database: STAGE.config.odoo.database, login: STAGE.config.odoo.login, apiKey: SANDBOX_API_KEY });
});

afterAll(async () => {
  runtime?.kill('SIGKILL');
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startRuntimeProcess(): Promise<{ child: ChildProcess; url: string }> {
  const settings: LocalStackOptions = {
    cdkOut: await synthesizedCdkOut(),
    stackName: STACK_NAME,
    dataDir: join(dataDir, 'runtime'),
    port: 0,
    odoo: { url: sandbox.url, database: STAGE.config.odoo.database, login: STAGE.config.odoo.login, apiKey: SANDBOX_API_KEY },
    secretSeeds: { [STAGE.config.stripe.webhookSecretName]: TEST_SIGNING_SECRET },
    functionEnvironment: QUIET_FUNCTIONS,
    apiThrottling: 'off',
  };
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
  return { child, url };
}

describe('the local runtime killed mid-batch', () => {
  it('loses no accepted webhook and duplicates no partner after a restart', async () => {
    const odoo = new OdooRecordReader({ url: sandbox.url, database: STAGE.config.odoo.database, login: STAGE.config.odoo.login, apiKey: SANDBOX_API_KEY });
    const first = await startRuntimeProcess();
    runtime = first.child;

    const customerIds = Array.from({ length: CUSTOMERS }, (_, index) => `cus_crash_${String(index).padStart(3, '0')}`);
    const accepted: string[] = [];
    const sending = Promise.all(
      customerIds.map(async (customerId) => {
        const answer = await postStripeWebhook(`${first.url}/webhooks/stripe`, stripeEvent('customer.created', { ...stripeObjects.customer, id: customerId, name: `Crash ${customerId}`, email: `ap@${customerId.replace(/_/g, '-')}.example` })).catch(() => undefined);
        if (answer?.status === 200) accepted.push(customerId);
      }),
    );
    // Kill as soon as Odoo has the first partners: later batches are queued or in flight.
    await waitFor(async () => ((await odoo.partnersWithRef(customerIds[0] ?? '')).length > 0 || accepted.length >= CUSTOMERS / 2 ? true : undefined), { what: 'the first partners', timeoutMs: 120_000 });
    first.child.kill('SIGKILL');
    await sending;
    expect(accepted.length).toBeGreaterThan(0);

    const second = await startRuntimeProcess();
    runtime = second.child;
    // A message in flight at the kill comes back after its visibility timeout (180 s here would be long):
    // the restart forgets in-memory receipts, and the durable queue makes such messages visible again at once.
    for (const customerId of accepted) {
      const partners = await waitFor(async () => {
        const found = await odoo.partnersWithRef(customerId);
        return found.length > 0 ? found : undefined;
      }, { what: `the partner of ${customerId}`, timeoutMs: 60_000 });
      expect(partners, customerId).toHaveLength(1);
    }
    second.child.kill('SIGTERM');
  }, 120_000);
});
