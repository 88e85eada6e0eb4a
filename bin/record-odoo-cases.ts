import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_ODOO_CASES } from '../test/contract/odoo/real-odoo-cases/cases';
import { type OdooCaseTarget, runOdooCase } from '../test/contract/odoo/real-odoo-cases/run-case';
import { ODOO_VERSIONS, type OdooVersion, realOdooUnavailableReason, startRealOdoo } from '../test/support/real-odoo';

/**
 * `npm run contract:record [-- 18.0|19.0] [-- case-name…]`: runs the real-Odoo contract cases
 * (test/contract/odoo/real-odoo-cases/cases.ts) against real Odoo servers started from ODOO_SOURCE_DIR (each on a
 * fresh database), and writes what they answered to test/contract/odoo/real-odoo-cases/recorded/<version>/. The
 * sandbox must then answer the same: `npx vitest run test/contract/odoo/odoo-real-cases.test.ts`.
 */

const OUT = new URL('../test/contract/odoo/real-odoo-cases/recorded/', import.meta.url).pathname;
const args = process.argv.slice(2);
const versions = ODOO_VERSIONS.filter((version) => args.length === 0 || args.includes(version) || !args.some((arg) => /^\d+\.0$/.test(arg)));
const cases = REAL_ODOO_CASES.filter((odooCase) => !args.some((arg) => !/^\d+\.0$/.test(arg)) || args.includes(odooCase.name));

const unavailable = realOdooUnavailableReason();
if (unavailable !== undefined) {
  console.error(`contract:record needs a real Odoo: ${unavailable}`);
  process.exit(1);
}

for (const version of versions) await recordVersion(version);

async function recordVersion(version: OdooVersion): Promise<void> {
  console.log(`Odoo ${version}: starting a fresh database…`);
  const odoo = await startRealOdoo(version, 'contract_cases');
  try {
    const target: OdooCaseTarget = {
      ...odoo,
      transport: version === '18.0' ? 'jsonrpc' : 'json2',
      underConcurrentUpdate: (table, row, call) => underPostgresUpdates(odoo.database, table, row, call),
    };
    const folder = join(OUT, version);
    mkdirSync(folder, { recursive: true });
    for (const odooCase of cases) {
      const startedAt = Date.now();
      const run = await runOdooCase(target, odooCase);
      const recorded = { ...run, odoo: version, transport: target.transport, recorded: new Date().toISOString().slice(0, 10) };
      writeFileSync(join(folder, `${odooCase.name}.json`), `${JSON.stringify(recorded, null, 1)}\n`);
      const summary = run.observed.map(({ step, result }) => `${step}: ${result.ok ? 'ok' : `${result.error.name} ${result.error.message.split('\n')[0]}`}`).join('; ');
      console.log(`  ${odooCase.name} (${Date.now() - startedAt} ms): ${summary}`);
    }
  } finally {
    await odoo.dispose();
  }
}

/**
 * Keeps updating one row from another PostgreSQL session, committing every 500 ms and locking it again at
 * once, while `call` runs: each of Odoo's own attempts (it retries a serialization failure up to 5 times)
 * waits for the lock, then finds the row changed since its snapshot.
 */
async function underPostgresUpdates<T>(database: string, table: string, row: number, call: () => Promise<T>): Promise<T> {
  const sql = `DO $$ BEGIN FOR i IN 1..300 LOOP UPDATE ${table} SET write_date = now() WHERE id = ${row}; PERFORM pg_sleep(0.5); COMMIT; END LOOP; END $$;`;
  const hammer = spawn('psql', ['-h', 'localhost', '-U', 'odoo', '-d', database, '-c', sql], { env: { ...process.env, PGPASSWORD: 'odoo' }, stdio: 'ignore' });
  // Connected and holding the row's lock before the call starts.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  try {
    return await call();
  } finally {
    hammer.kill('SIGTERM');
  }
}
