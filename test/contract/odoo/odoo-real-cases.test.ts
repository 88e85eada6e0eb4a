import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_API_KEY, startOdooSandbox, type OdooSandbox } from '../../../local/sandboxes/odoo/server';
import { REAL_ODOO_CASES } from './real-odoo-cases/cases';
import { type CaseRun, type OdooCaseTarget, runOdooCase } from './real-odoo-cases/run-case';

/**
 * The sandbox answers the real-Odoo contract cases (test/contract/odoo/real-odoo-cases/cases.ts) as the real
 * Odoo 18 / 19 servers did when recorded (`npx tsx bin/record-odoo-cases.ts`): the same states, amounts,
 * error classes and messages, call by call, through the project's own Odoo client. A case recorded but no
 * longer defined, or defined but not recorded, fails here: the recording and the cases must move together.
 */

const RECORDED = new URL('./real-odoo-cases/recorded/', import.meta.url).pathname;
const TARGETS = [
  { version: '18.0', transport: 'jsonrpc' },
  { version: '19.0', transport: 'json2' },
] as const;

interface RecordedCase extends CaseRun {
  readonly odoo: string;
  readonly transport: string;
}

function recordedCases(version: string): RecordedCase[] {
  const folder = join(RECORDED, version);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(folder, file), 'utf8')) as RecordedCase);
}

for (const { version, transport } of TARGETS) {
  describe(`Odoo ${version} sandbox (${transport}) answers the cases recorded on a real Odoo ${version}`, () => {
    const recorded = recordedCases(version);
    let sandbox: OdooSandbox;
    let dataDir: string;
    let target: OdooCaseTarget;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), `odoo-real-cases-${version}-`));
      sandbox = await startOdooSandbox({ version, dataDir });
      target = {
        url: sandbox.url,
        database: `odoo${version.split('.')[0]}`,
        login: 'admin',
        apiKey: SANDBOX_API_KEY,
        transport,
        // What PostgreSQL does to a real Odoo when another session keeps updating the row: the sandbox's
        // injected serialization failure on every update of it while the call runs.
        underConcurrentUpdate: async (table, row, call) => {
          const release = sandbox.concurrentUpdates(table, row);
          try {
            return await call();
          } finally {
            release();
          }
        },
      };
    });

    afterAll(async () => {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('has a recording of every case, and every recording is a case', () => {
      expect(recorded.map((run) => run.name).sort()).toEqual(REAL_ODOO_CASES.map((odooCase) => odooCase.name).sort());
      for (const run of recorded) expect({ case: run.name, odoo: run.odoo, transport: run.transport }).toEqual({ case: run.name, odoo: version, transport });
    });

    for (const run of recorded) {
      it(`${run.name}: ${run.note}`, async () => {
        const odooCase = REAL_ODOO_CASES.find((candidate) => candidate.name === run.name);
        if (odooCase === undefined) throw new Error(`recorded case ${run.name} is not defined in cases.ts`);
        // Each case on a fresh database, as its calls assume nothing but the seeded journals and currencies.
        sandbox.reset();
        const replayed = await runOdooCase(target, odooCase);
        expect(replayed.observed).toEqual(run.observed);
      });
    }
  });
}
