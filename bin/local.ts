#!/usr/bin/env node
/**
 * `npm start`: the synthesized stack on this machine, no AWS account, no Docker.
 *
 * 1. synthesizes stage `local` into cdk.out (set LOCAL_SKIP_SYNTH=1 to reuse the last synth);
 * 2. starts the Odoo sandbox, unless ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_API_KEY name a real Odoo;
 *    starts each provider's sandbox (what the billing flows and reconciliation read), unless its real
 *    credentials are given (STRIPE_API_KEY: a Stripe test-mode key);
 * 3. runs the stack (local/runtime) on LOCAL_PORT (4000): webhooks and the ops console.
 * Data lives in .local/ (git-ignored) and survives restarts. Ctrl-C or SIGTERM stops cleanly.
 * The composition is local/dev-environment, shared with the end-to-end tests and the benches.
 */
import { join, resolve } from 'node:path';
import { resolveStage } from '../lib/config/stages';
import { configuredProviders } from '../lib/providers';
import { type DevEnvironmentOptions, startDevEnvironment } from '../local/dev-environment/dev-environment';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const DATA_DIR = join(PROJECT_ROOT, '.local');
const CDK_OUT = join(PROJECT_ROOT, 'cdk.out');
const REAL_ODOO_VARIABLES = ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY'] as const;

const { stage, config } = resolveStage('local');
const port = Number(process.env.LOCAL_PORT ?? 4000);

const given = REAL_ODOO_VARIABLES.filter((name) => process.env[name]);
if (given.length > 0 && given.length < REAL_ODOO_VARIABLES.length) {
  const missing = REAL_ODOO_VARIABLES.filter((name) => !process.env[name]);
  console.error(`To use a real Odoo set all of ${REAL_ODOO_VARIABLES.join(', ')}; missing: ${missing.join(', ')}. Unset them all to use the sandbox.`);
  process.exit(1);
}

let odoo: DevEnvironmentOptions['odoo'];
if (given.length === REAL_ODOO_VARIABLES.length) {
  const connection = { url: process.env.ODOO_URL!, database: process.env.ODOO_DB!, login: process.env.ODOO_LOGIN!, apiKey: process.env.ODOO_API_KEY! };
  odoo = { kind: 'running', connection, description: `real Odoo ${connection.url} (database ${connection.database}, login ${connection.login}; API key from ODOO_API_KEY, kept in memory)` };
} else {
  odoo = {
    kind: 'sandbox',
    port: Number(process.env.ODOO_SANDBOX_PORT ?? 8069),
    dataDir: join(DATA_DIR, 'odoo-sandbox'),
    version: process.env.ODOO_SANDBOX_VERSION === '19.0' ? '19.0' : '18.0',
  };
}

if (process.env.LOCAL_SKIP_SYNTH !== '1') console.log(`Synthesizing stage ${stage} into ${CDK_OUT} …`);
const environment = await startDevEnvironment({
  projectRoot: PROJECT_ROOT,
  stage,
  cdkOut: CDK_OUT,
  synth: process.env.LOCAL_SKIP_SYNTH === '1' ? 'never' : 'always',
  runtimeDataDir: DATA_DIR,
  port,
  odoo,
  // Each provider's sandbox keeps its data in .local/<route>-sandbox, on <ROUTE>_SANDBOX_PORT or its development port.
  providerApiData: (route) => {
    const port = process.env[`${route.toUpperCase()}_SANDBOX_PORT`];
    return { dataDir: join(DATA_DIR, `${route}-sandbox`), port: port === undefined ? 'development' : Number(port) };
  },
  realProviderApisFrom: process.env,
});
const { stack } = environment;
// What the stage's ingests read: a signing secret, and for some providers also the API token their ingest reads records with.
const ingestSecrets = configuredProviders(config).flatMap((provider) => provider.ingestSecrets.map((secret) => `${secret.id} under "${secret.secretName(config)}"`));
const ingestSecretsNote = ingestSecrets.length === 0 ? 'no ingest secret' : `ingest secrets: ${ingestSecrets.join('; ')}`;

const lines = [
  '',
  `odoo-saas-sync running locally: ${stack.stackName} (${stack.identity.region}, account ${stack.identity.accountId})`,
  '',
  'Webhooks (bare paths; the same paths also answer under the stage, as API Gateway serves them):',
  ...stack.webhookUrls().map((hook) => `  ${hook.method.padEnd(6)} ${hook.url}   (also ${hook.stageUrl})  → λ ${hook.functionName}`),
  '',
  `Ops console:  ${stack.url}/`,
  `Odoo:         ${environment.odoo.description}`,
  `Odoo load:    at most ${config.odoo.maxRequestsPerSecond} requests/s and ${config.odoo.maxConcurrentRequests} in flight per consumer container (×${config.flowConcurrency} consumers per flow); writes merged within ${config.odoo.batchWindowMs} ms, up to ${config.odoo.maxBatchSize} records per call`,
  ...[...environment.providerApis].flatMap(([route, api]) => {
    const connected = environment.stackConnections.get(route);
    return [`${`${api.providerName} API:`.padEnd(14)}${api.description}`, ...(connected === undefined ? [] : [`${''.padEnd(14)}${connected}`])];
  }),
  `Data:         ${DATA_DIR} (queues, tables, archive, executions; git-ignored, kept between runs)`,
  `Secrets:      ${stack.secretsFile} (${ingestSecretsNote})`,
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
    void environment.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
