#!/usr/bin/env node
/**
 * `npm start`: the synthesized stack on this machine, no AWS account, no Docker.
 *
 * 1. synthesizes stage `local` into cdk.out (set LOCAL_SKIP_SYNTH=1 to reuse the last synth);
 * 2. starts the Odoo sandbox, unless ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_API_KEY name a real Odoo;
 *    starts the Stripe sandbox (what the billing flows and reconciliation read), unless STRIPE_API_KEY
 *    names a real Stripe test-mode key;
 * 3. runs the stack (local/runtime) on LOCAL_PORT (4000): webhooks and the ops console.
 * Data lives in .local/ (git-ignored) and survives restarts. Ctrl-C or SIGTERM stops cleanly.
 */
import { join, resolve } from 'node:path';
import { resolveStage } from '../lib/config/stages';
import { stackName } from '../lib/sync-stack';
import { startLocalStack, type OdooConnection } from '../local/runtime/local-stack';
import { LOCAL_STRIPE_WEBHOOK_SIGNING_SECRET } from '../local/dev-environment/dev-secrets';
import { synthesizeStack } from '../local/dev-environment/synthesize';
import { SANDBOX_API_KEY, startOdooSandbox } from '../local/sandboxes/odoo/server';
import { SANDBOX_STRIPE_API_KEY, startStripeSandbox } from '../local/sandboxes/stripe/server';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const DATA_DIR = join(PROJECT_ROOT, '.local');
const CDK_OUT = join(PROJECT_ROOT, 'cdk.out');
const REAL_ODOO_VARIABLES = ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY'] as const;

const { stage, config } = resolveStage('local');
const port = Number(process.env.LOCAL_PORT ?? 4000);

if (process.env.LOCAL_SKIP_SYNTH !== '1') {
  console.log(`Synthesizing stage ${stage} into ${CDK_OUT} …`);
  await synthesizeStack({ projectRoot: PROJECT_ROOT, stage, outdir: CDK_OUT });
}

const given = REAL_ODOO_VARIABLES.filter((name) => process.env[name]);
if (given.length > 0 && given.length < REAL_ODOO_VARIABLES.length) {
  const missing = REAL_ODOO_VARIABLES.filter((name) => !process.env[name]);
  console.error(`To use a real Odoo set all of ${REAL_ODOO_VARIABLES.join(', ')}; missing: ${missing.join(', ')}. Unset them all to use the sandbox.`);
  process.exit(1);
}

let odoo: OdooConnection;
let closeSandbox: (() => Promise<void>) | undefined;
let odooDescription: string;
if (given.length === REAL_ODOO_VARIABLES.length) {
  odoo = { url: process.env.ODOO_URL!, database: process.env.ODOO_DB!, login: process.env.ODOO_LOGIN!, apiKey: process.env.ODOO_API_KEY! };
  odooDescription = `real Odoo ${odoo.url} (database ${odoo.database}, login ${odoo.login}; API key from ODOO_API_KEY, kept in memory)`;
} else {
  const version = process.env.ODOO_SANDBOX_VERSION === '19.0' ? '19.0' : '18.0';
  const sandbox = await startOdooSandbox({
    port: Number(process.env.ODOO_SANDBOX_PORT ?? 8069),
    dataDir: join(DATA_DIR, 'odoo-sandbox'),
    database: config.odoo.database,
    login: config.odoo.login,
    apiKey: SANDBOX_API_KEY,
    version,
  });
  closeSandbox = sandbox.close;
  odoo = { url: sandbox.url, database: config.odoo.database, login: config.odoo.login, apiKey: SANDBOX_API_KEY };
  odooDescription = `Odoo ${version} sandbox ${sandbox.url} (database ${odoo.database}, login ${odoo.login}, API key ${SANDBOX_API_KEY}; data in .local/odoo-sandbox)`;
}

// Stripe: the functions read it with STRIPE_API_URL (the sandbox) or Stripe's own API with a real key.
let stripe: { apiKey: string; apiUrl?: string; description: string; close?: () => Promise<void> };
if (process.env.STRIPE_API_KEY) {
  stripe = { apiKey: process.env.STRIPE_API_KEY, description: 'api.stripe.com (API key from STRIPE_API_KEY, kept in memory)' };
} else {
  const sandbox = await startStripeSandbox({ port: Number(process.env.STRIPE_SANDBOX_PORT ?? 12111), dataDir: join(DATA_DIR, 'stripe-sandbox') });
  stripe = {
    apiKey: SANDBOX_STRIPE_API_KEY,
    apiUrl: sandbox.url,
    description: `Stripe sandbox ${sandbox.url} (API key ${SANDBOX_STRIPE_API_KEY}; seed with POST ${sandbox.url}/_sandbox/objects; data in .local/stripe-sandbox)`,
    close: sandbox.close,
  };
}

const stack = await startLocalStack({
  cdkOut: CDK_OUT,
  stackName: stackName(stage),
  dataDir: DATA_DIR,
  port,
  odoo,
  secretSeeds: {
    [config.stripe.webhookSecretName]: LOCAL_STRIPE_WEBHOOK_SIGNING_SECRET,
    [config.odoo.apiKeySecretName]: SANDBOX_API_KEY,
  },
  secretOverrides: { [config.stripe.apiKeySecretName]: stripe.apiKey },
  ...(stripe.apiUrl ? { functionEnvironment: { STRIPE_API_URL: stripe.apiUrl } } : {}),
});

const lines = [
  '',
  `odoo-saas-sync running locally: ${stack.stackName} (${stack.identity.region}, account ${stack.identity.accountId})`,
  '',
  'Webhooks (bare paths; the same paths also answer under the stage, as API Gateway serves them):',
  ...stack.webhookUrls().map((hook) => `  ${hook.method.padEnd(6)} ${hook.url}   (also ${hook.stageUrl})  → λ ${hook.functionName}`),
  '',
  `Ops console:  ${stack.url}/`,
  `Odoo:         ${odooDescription}`,
  `Stripe API:   ${stripe.description}`,
  `Data:         ${DATA_DIR} (queues, tables, archive, executions; git-ignored, kept between runs)`,
  `Secrets:      ${stack.secretsFile} (Stripe signing secret under "${config.stripe.webhookSecretName}")`,
  `AWS endpoints for your own SDK calls: SQS ${stack.endpoints.sqs}, DynamoDB ${stack.endpoints.dynamodb}, EventBridge ${stack.endpoints.eventBridge}, Step Functions ${stack.endpoints.stepFunctions}, Secrets Manager ${stack.endpoints.secretsManager}`,
  `Not emulated (ignored): ${[...new Set(stack.ignoredResources.map((resource) => resource.type))].join(', ')}`,
  '',
  'Try it: npm run demo    Stop: Ctrl-C',
];
console.log(lines.join('\n'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (in-flight batches finish; data stays in ${DATA_DIR}) …`);
    void stack
      .stop()
      .then(() => closeSandbox?.())
      .then(() => stripe.close?.())
      .then(() => process.exit(0), (error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  });
}
