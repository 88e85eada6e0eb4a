import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LocalStack, OdooConnection } from '../local/runtime/local-stack';
import { type OdooVersion, startRealOdoo } from '../test/support/real-odoo';
import { type DevEnvironment, type DevEnvironmentOptions, startDevEnvironment } from '../local/dev-environment/dev-environment';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const CDK_OUT = join(PROJECT_ROOT, '.local', 'bench', 'cdk.out');
/** The webhook signing secret of the benches' stacks (they sign their own webhooks with it). */
export const BENCH_SIGNING_SECRET = 'whsec_bench_only';

/**
 * The dev environment of a local bench: stage `local` synthesized into `.local/bench/cdk.out` (LOCAL_SKIP_SYNTH=1
 * reuses it), an in-memory Odoo sandbox unless another Odoo is given, quiet functions, the stage's API throttling lifted (a bench measures the
 * stack, not the quota) and a throwaway data directory, removed by `close`.
 */
export async function startBenchEnvironment(options: {
  name: string;
  odooProxy?: DevEnvironmentOptions['odooProxy'];
  /** An Odoo already running (a real one); default: an in-memory Odoo sandbox. */
  odoo?: DevEnvironmentOptions['odoo'];
}): Promise<Pick<DevEnvironment, 'stack' | 'odoo' | 'providerApis' | 'close'>> {
  const synth = process.env.LOCAL_SKIP_SYNTH === '1' ? 'never' : 'always';
  if (synth === 'always') console.error(`Synthesizing stage local into ${CDK_OUT} …`);
  const dataDir = mkdtempSync(join(tmpdir(), `bench-${options.name}-`));
  const environment = await startDevEnvironment({
    projectRoot: PROJECT_ROOT,
    cdkOut: CDK_OUT,
    synth,
    quietSynth: true,
    runtimeDataDir: dataDir,
    port: 0,
    odoo: options.odoo ?? { kind: 'sandbox' },
    ...(options.odooProxy ? { odooProxy: options.odooProxy } : {}),
    signingSecret: BENCH_SIGNING_SECRET,
    functionEnvironment: { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
    apiThrottling: 'off',
  });
  return {
    get stack() {
      return environment.stack;
    },
    odoo: environment.odoo,
    providerApis: environment.providerApis,
    close: async () => {
      await environment.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Messages still in the flow queues: visible, in flight or waiting out a retry delay. */
export function flowQueueDepth(local: LocalStack): number {
  return local.eventSourceMappings.reduce((sum, { queueName }) => {
    const attributes = local.queues.queueNamed(queueName).attributes();
    return sum + ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'].reduce((n, key) => n + Number(attributes[key]), 0);
  }, 0);
}

/** Messages in the flows' dead-letter queues: a bench run must end with none. */
export function deadLetterCount(local: LocalStack): number {
  return local.eventSourceMappings.reduce((sum, { queueName }) => {
    const deadLetterArn = local.queues.queueNamed(queueName).redrivePolicy?.deadLetterTargetArn;
    return sum + (deadLetterArn ? local.queues.queueByArn(deadLetterArn).storedMessages().length : 0);
  }, 0);
}

/** Until every flow queue has been empty for three polls in a row: a message between the bus and a queue is not missed. */
export async function drained(local: LocalStack, options: { timeoutMs: number; pollMs: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let quiet = 0;
  while (quiet < 3) {
    if (Date.now() > deadline) throw new Error(`the flow queues did not drain within ${options.timeoutMs / 1000} s (${flowQueueDepth(local)} left)`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    quiet = flowQueueDepth(local) === 0 ? quiet + 1 : 0;
  }
}

const REAL_ODOO_VARIABLES = ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY'] as const;

/**
 * The real Odoo a bench runs against: ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_API_KEY when all are set (an Odoo of
 * your own); otherwise one of BENCH_ODOO_VERSION (18.0 or 19.0, default 18.0) from ../shared/odoo
 * (test/support/real-odoo.ts) with a fresh database named after `database`, dropped by `dispose`.
 */
export async function chooseRealOdoo(database: string): Promise<{ odoo: OdooConnection; label: string; dispose: () => Promise<void> }> {
  const given = REAL_ODOO_VARIABLES.filter((name) => process.env[name]);
  if (given.length === REAL_ODOO_VARIABLES.length) {
    const odoo = { url: process.env.ODOO_URL!, database: process.env.ODOO_DB!, login: process.env.ODOO_LOGIN!, apiKey: process.env.ODOO_API_KEY! };
    return { odoo, label: `Odoo at ${odoo.url} (database ${odoo.database})`, dispose: async () => undefined };
  }
  if (given.length > 0) throw new Error(`set all of ${REAL_ODOO_VARIABLES.join(', ')} to bench an Odoo of your own, or none to start one from ../shared/odoo`);
  const version = (process.env.BENCH_ODOO_VERSION ?? '18.0') as OdooVersion;
  if (version !== '18.0' && version !== '19.0') throw new Error(`BENCH_ODOO_VERSION must be 18.0 or 19.0, got ${version}`);
  console.error(`Starting a real Odoo ${version} with a fresh database …`);
  const real = await startRealOdoo(version, database);
  return { odoo: real, label: `a real Odoo ${version} (fresh database, started by test/support/real-odoo.ts)`, dispose: real.dispose };
}
