import { describe, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * A real Odoo server for the tests: Odoo Community 18.0 (served over JSON-RPC) or 19.0 (JSON-2), started
 * from the sources of `ODOO_SOURCE_DIR` (a folder holding `start-odoo.sh`, `stop-odoo.sh` and the
 * `odoo-<version>.tar.xz` tarballs — the project's CI points it at `../shared/odoo`). The script installs
 * the Debian packages, starts PostgreSQL and initializes one template database per version (about a
 * minute, once); every test file then gets a fresh database copied from it (about 15 s) on a free port,
 * and stops it after. Nothing here is a second implementation of Odoo: it is the real server.
 */

const execute = promisify(execFile);
const PROJECT_ROOT = resolve(new URL('../..', import.meta.url).pathname);
/** Sources, databases' filestore, logs and API keys of the test servers (kept across runs: the template is reused). */
export const REAL_ODOO_WORKDIR = join(PROJECT_ROOT, '.local', 'real-odoo');

export type OdooVersion = '18.0' | '19.0';
export const ODOO_VERSIONS: readonly OdooVersion[] = ['18.0', '19.0'];

export interface RealOdoo {
  readonly version: OdooVersion;
  readonly url: string;
  readonly database: string;
  readonly login: string;
  readonly apiKey: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL) and keeps the database, so `start()` is a quick restart (an outage). */
  stop(): Promise<void>;
  /** Starts the stopped server again on the same port and database. */
  start(): Promise<void>;
  /** Stops the server and drops its database. */
  dispose(): Promise<void>;
}

/**
 * Where the Odoo sources are: `ODOO_SOURCE_DIR`, else `../shared/odoo` beside the repository when it is there.
 * Undefined on a machine with neither: the real-Odoo suites are skipped (they say so).
 */
export function odooSourceDir(): string | undefined {
  const candidates = [process.env.ODOO_SOURCE_DIR, join(PROJECT_ROOT, '..', 'shared', 'odoo')].filter((path): path is string => !!path);
  return candidates.map((path) => resolve(path)).find((path) => existsSync(join(path, 'start-odoo.sh')));
}

/** Why the real-Odoo suites do not run here, for the skip message; undefined when they do. */
export function realOdooUnavailableReason(): string | undefined {
  if (process.env.ODOO_SOURCE_DIR && odooSourceDir() === undefined) {
    return `ODOO_SOURCE_DIR=${process.env.ODOO_SOURCE_DIR} holds no start-odoo.sh`;
  }
  if (odooSourceDir() === undefined) {
    return 'no Odoo source: set ODOO_SOURCE_DIR to a folder with start-odoo.sh and odoo-18.0/19.0 tarballs (README, "Tests against a real Odoo")';
  }
  return undefined;
}

/**
 * Starts a real Odoo of `version` with a fresh database named `database` (an older database of that name,
 * left by an earlier run, is dropped first), on a free port. Throws with the script's log tail on failure.
 */
export async function startRealOdoo(version: OdooVersion, database: string): Promise<RealOdoo> {
  const sourceDir = odooSourceDir();
  if (sourceDir === undefined) throw new Error(realOdooUnavailableReason());
  const scripts = { start: join(sourceDir, 'start-odoo.sh'), stop: join(sourceDir, 'stop-odoo.sh') };
  // One PostgreSQL database holds one Odoo version: the name says which.
  const dbName = `${database}_${version.replace('.', '')}`;
  await dropDatabase(scripts.stop, version, dbName);
  const port = await freePortPair();
  const run = async () => {
    try {
      await execute(scripts.start, [version, String(port), dbName, REAL_ODOO_WORKDIR], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`starting Odoo ${version} (${scripts.start}) failed:\n${(stderr ?? String(error)).split('\n').slice(-40).join('\n')}`);
    }
  };
  await run();
  const apiKey = readFileSync(join(REAL_ODOO_WORKDIR, `${version}-${dbName}.key`), 'utf8').trim();
  const stop = async () => {
    await execute(scripts.stop, [version, dbName, REAL_ODOO_WORKDIR], { timeout: 120_000 });
  };
  return {
    version,
    url: `http://127.0.0.1:${port}`,
    database: dbName,
    login: 'admin',
    apiKey,
    port,
    stop,
    start: run,
    dispose: async () => {
      await stop().catch(() => undefined);
      await dropDatabase(scripts.stop, version, dbName);
    },
  };
}

/** Stops a server of that database if one runs, drops the database and forgets its key (README of ../shared/odoo). */
async function dropDatabase(stopScript: string, version: OdooVersion, dbName: string): Promise<void> {
  if (existsSync(join(REAL_ODOO_WORKDIR, `${version}-${dbName}.pid`))) {
    await execute(stopScript, [version, dbName, REAL_ODOO_WORKDIR], { timeout: 120_000 }).catch(() => undefined);
  }
  await execute('dropdb', ['--if-exists', '-h', 'localhost', '-U', 'odoo', dbName], { env: { ...process.env, PGPASSWORD: 'odoo' } }).catch(() => undefined);
  rmSync(join(REAL_ODOO_WORKDIR, `${version}-${dbName}.key`), { force: true });
}

/** A free port P whose P+10000 (Odoo's gevent port) is free too. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair for Odoo');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
  });
}

/**
 * Runs `suite` against a real Odoo of `version` when an Odoo source is there; else registers one skipped
 * test whose title says why (and warns once), so a run without the sources says plainly what it did not prove.
 */
export function describeOnRealOdoo(version: OdooVersion, title: string, suite: (version: OdooVersion) => void): void {
  const unavailable = realOdooUnavailableReason();
  if (unavailable === undefined) {
    suite(version);
    return;
  }
  console.warn(`SKIPPED on real Odoo ${version}: ${title} — ${unavailable}`);
  describe.skip(`${title} on real Odoo ${version} — ${unavailable}`, () => {
    it('runs against a real Odoo server', () => undefined);
  });
}
