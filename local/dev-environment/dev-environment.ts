import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveStage, type Stage, type StageConfig } from '../../lib/config/stages';
import { stackName } from '../../lib/sync-stack';
import { handleConsoleRequest } from '../console/console-routes';
import { type LocalStack, type LocalStackOptions, type OdooConnection, startLocalStack } from '../runtime/local-stack';
import { SANDBOX_API_KEY, startOdooSandbox } from '../sandboxes/odoo/server';
import { PROVIDER_SANDBOXES, type ProviderApi } from './provider-sandboxes';
import { OdooRecordReader } from './odoo-record-reader';
import type { ExtraJournal } from '../sandboxes/odoo/seed';
import { synthesizeStack } from './synthesize';

/**
 * The one place that composes a dev environment: the synthesized stack (`cdk.out`), an Odoo (the sandbox, or
 * one already running), every provider's read API (its sandbox, or the real one) and the local runtime with
 * the ops console. `npm start`, the end-to-end harness and the benches all start theirs here, so they run
 * the same composition and differ only in their options.
 */

export interface DevEnvironmentOptions {
  readonly projectRoot: string;
  readonly stage?: Stage;
  readonly cdkOut: string;
  /**
   * `always` (npm start), `when-stale` (only when a source file is newer than the last synth; parallel
   * processes take turns through a lock: the e2e test files), `never` (reuse what is there).
   */
  readonly synth: 'always' | 'when-stale' | 'never';
  readonly quietSynth?: boolean;
  /** The runtime's data (queues, tables, archive, executions, secrets.json). */
  readonly runtimeDataDir: string;
  readonly port: number;
  /** An Odoo sandbox started here (its database saved in `dataDir`, in memory without), or an Odoo already running. */
  readonly odoo:
    | { readonly kind: 'sandbox'; readonly dataDir?: string; readonly port?: number; readonly version?: '18.0' | '19.0' }
    | { readonly kind: 'running'; readonly connection: OdooConnection; readonly description: string; close?(): Promise<void> };
  /** Something put between the stack and Odoo (a counting or fault-injecting proxy): gets Odoo's URL, returns the stack's. */
  readonly odooProxy?: (odooUrl: string) => Promise<{ url: string; close(): Promise<void> }>;
  /**
   * Each provider's API data directory and port (by route); in memory on a free port when not given,
   * `development` for the provider's own development port (`npm start`).
   */
  readonly providerApiData?: (route: string) => { dataDir?: string; port?: number | 'development' };
  /** Where a provider's real credentials may be named (`STRIPE_API_KEY`): `npm start` passes process.env. */
  readonly realProviderApisFrom?: NodeJS.ProcessEnv;
  /** The webhook signing secret of every provider (default: each provider's development secret). */
  readonly signingSecret?: string;
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  readonly apiThrottling?: 'template' | 'off';
  /** Told of the stack after each start (a test speeding up retry delays). */
  readonly onStarted?: (stack: LocalStack) => void;
}

export interface DevEnvironment {
  /** The running stack (a new one after `restart`). */
  readonly stack: LocalStack;
  readonly stage: Stage;
  readonly stackName: string;
  /** How the stack and a reader reach Odoo (Odoo itself, not the proxy). */
  readonly odoo: { readonly connection: OdooConnection; readonly description: string };
  /** Each provider's API as the functions read it, by route. */
  readonly providerApis: ReadonlyMap<string, ProviderApi>;
  /** What each provider's sandbox connected to the running stack (its event subscription …), by route: the banner says it. */
  readonly stackConnections: ReadonlyMap<string, string>;
  /** The runtime settings, for a runtime started in another process on other data (the crash tests). */
  readonly localStackOptions: LocalStackOptions;
  /** Stops the runtime and starts it again on the same data (a restart of `npm start`). */
  restart(): Promise<void>;
  /** Stops the runtime, the proxy, the Odoo sandbox and the provider APIs; data stays on disk. */
  close(): Promise<void>;
}

export async function startDevEnvironment(options: DevEnvironmentOptions): Promise<DevEnvironment> {
  // The functions run on Lambda's nodejs22.x; here, on Node 20, every SDK client the local functions create would
  // print the SDK's "2027 releases need Node 22" notice into the banner and the function logs. Set it, unless you did.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { stage, config } = resolveStage(options.stage ?? 'local');
  const name = stackName(stage);
  if (options.synth === 'always') await synthesizeStack({ projectRoot: options.projectRoot, stage, outdir: options.cdkOut, quiet: options.quietSynth ?? false });
  if (options.synth === 'when-stale') await synthesizeWhenStale({ projectRoot: options.projectRoot, stage, cdkOut: options.cdkOut });

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    let odoo: DevEnvironment['odoo'];
    const extraJournals = PROVIDER_SANDBOXES.flatMap((provider) => provider.odooJournals?.(config) ?? []);
    // The billing mapping the functions get in place of the stage's, when a running Odoo keeps a journal elsewhere.
    let billingOverride: Record<string, string> = {};
    if (options.odoo.kind === 'running') {
      odoo = { connection: options.odoo.connection, description: options.odoo.description };
      const close = options.odoo.close;
      if (close) closers.push(() => close());
      billingOverride = await journalsOnRunningOdoo(odoo.connection, config, extraJournals);
    } else {
      const { dataDir, port, version } = options.odoo;
      const sandbox = await startOdooSandbox({
        ...(port === undefined ? {} : { port }),
        ...(dataDir === undefined ? {} : { dataDir }),
        ...(version === undefined ? {} : { version }),
        database: config.odoo.database,
        login: config.odoo.login,
        apiKey: SANDBOX_API_KEY,
        extraJournals,
      });
      closers.push(() => sandbox.close());
      const connection = { url: sandbox.url, database: config.odoo.database, login: config.odoo.login, apiKey: SANDBOX_API_KEY };
      odoo = {
        connection,
        description: `Odoo ${version ?? '18.0'} sandbox ${sandbox.url} (database ${connection.database}, login ${connection.login}, API key ${SANDBOX_API_KEY}${dataDir === undefined ? '' : `; data in ${dataDir}`})`,
      };
    }
    const proxy = options.odooProxy === undefined ? undefined : await options.odooProxy(odoo.connection.url);
    if (proxy) closers.push(() => proxy.close());

    const providerApis = new Map<string, ProviderApi>();
    let secretSeeds: Record<string, string> = { [config.odoo.apiKeySecretName]: SANDBOX_API_KEY };
    for (const provider of PROVIDER_SANDBOXES) {
      const { dataDir, port } = options.providerApiData?.(provider.route) ?? {};
      const started = await provider.startApi({
        config,
        ...(dataDir === undefined ? {} : { dataDir }),
        ...(port === undefined ? {} : { port: port === 'development' ? provider.developmentPort : port }),
        ...(options.realProviderApisFrom ? { realApiFrom: options.realProviderApisFrom } : {}),
      });
      const api: ProviderApi = { providerName: provider.name, ...started };
      closers.push(() => api.close());
      providerApis.set(provider.route, api);
      if (provider.developmentSigningSecret !== undefined && provider.signingSecretSeeds !== undefined) {
        secretSeeds = { ...secretSeeds, ...provider.signingSecretSeeds(config, options.signingSecret ?? provider.developmentSigningSecret) };
      }
    }
    const apis = [...providerApis.values()];
    const localStackOptions: LocalStackOptions = {
      cdkOut: options.cdkOut,
      stackName: name,
      dataDir: options.runtimeDataDir,
      port: options.port,
      odoo: { ...odoo.connection, url: proxy?.url ?? odoo.connection.url },
      secretSeeds,
      secretOverrides: Object.assign({}, ...apis.map((api) => api.secretOverrides)),
      functionEnvironment: Object.assign({}, ...apis.map((api) => api.functionEnvironment), billingOverride, options.functionEnvironment),
      ...(options.apiThrottling ? { apiThrottling: options.apiThrottling } : {}),
    };
    const connections = new Map<string, string>();
    const start = async () => {
      const started = await startLocalStack({ ...localStackOptions, httpRoutes: [handleConsoleRequest] });
      connections.clear();
      for (const [route, api] of providerApis) {
        const connected = api.connectStack?.({ eventBridgeUrl: started.endpoints.eventBridge, region: started.identity.region, webhookUrl: `${started.url}/webhooks/${route}` });
        if (connected !== undefined) connections.set(route, connected);
      }
      options.onStarted?.(started);
      return started;
    };
    let stack = await start();
    return {
      get stack() {
        return stack;
      },
      stage,
      stackName: name,
      odoo,
      providerApis,
      stackConnections: connections,
      localStackOptions,
      restart: async () => {
        await stack.stop();
        stack = await start();
      },
      close: async () => {
        await stack.stop();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The source folders a synthesized template is made from: a change in any makes it stale. */
const SOURCE_DIRECTORIES = ['bin/app.ts', 'lib', 'functions', 'events'];

/**
 * Synthesizes unless a synth newer than every source file is there. Processes running in parallel (test
 * files) share it: a lock directory makes one of them synthesize while the others wait for it.
 */
export async function synthesizeWhenStale(options: { projectRoot: string; stage: Stage; cdkOut: string }): Promise<string> {
  const template = join(options.cdkOut, `${stackName(options.stage)}.template.json`);
  const lock = `${options.cdkOut}.lock`;
  mkdirSync(join(options.cdkOut, '..'), { recursive: true });
  const isFresh = () => {
    if (!existsSync(template)) return false;
    const synthesizedAt = statSync(template).mtimeMs;
    return SOURCE_DIRECTORIES.every((path) => newestModification(join(options.projectRoot, path)) < synthesizedAt);
  };
  for (;;) {
    if (isFresh()) return options.cdkOut;
    try {
      mkdirSync(lock);
    } catch {
      // Another process is synthesizing; a lock older than 3 minutes was left by a killed run.
      if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (!isFresh()) await synthesizeStack({ projectRoot: options.projectRoot, stage: options.stage, outdir: options.cdkOut, quiet: true });
      return options.cdkOut;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function newestModification(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestModification(join(path, entry))), stats.mtimeMs);
}

/**
 * A running Odoo (a real one, or `npm start` with ODOO_URL) lacks the journals a provider needs beyond a fresh
 * Odoo's (PayPal's own bank journal), or holds them at other ids than the stage names for the sandbox: each is
 * found by name and type on the routes' company, or created as a person would in Odoo's settings (Odoo gives a
 * new bank journal its account), and the functions get the billing mapping with the routes pointing at it.
 */
async function journalsOnRunningOdoo(connection: OdooConnection, config: StageConfig, journals: readonly ExtraJournal[]): Promise<Record<string, string>> {
  if (journals.length === 0) return {};
  const odoo = new OdooRecordReader(connection);
  let companies = config.billing.companies;
  for (const journal of journals) {
    const companyIds = [...new Set(companies.filter((route) => route.bankJournalId === journal.id).map((route) => route.companyId))];
    for (const companyId of companyIds) {
      const domain = [['type', '=', journal.type], ['name', '=', journal.name], ['company_id', '=', companyId]];
      const [found] = await odoo.searchRead<{ id: number }>('account.journal', domain, ['id']);
      const id = found?.id ?? (await odoo.create('account.journal', { name: journal.name, code: journal.code, type: journal.type, company_id: companyId }));
      companies = companies.map((route) => (route.bankJournalId === journal.id && route.companyId === companyId ? { ...route, bankJournalId: id } : route));
    }
  }
  return { BILLING_CONFIG: JSON.stringify({ ...config.billing, companies }) };
}
