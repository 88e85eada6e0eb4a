import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OdooRecordReader } from '../../../local/dev-environment/odoo-record-reader';
import { SANDBOX_API_KEY, startOdooSandbox } from '../../../local/sandboxes/odoo/server';

/**
 * The journals a dev environment asks the Odoo sandbox for beyond the recorded database's (a payment provider's own
 * bank journal, at the id its stage routes name): in a new database, and in one `npm start` saved before they were asked for.
 */
describe('Odoo sandbox extra journals', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'odoo-sandbox-journals-'));
  const PAYPAL = { id: 8, name: 'PayPal', code: 'PYPL', type: 'bank' as const };
  const bankJournals = async (url: string) =>
    (await new OdooRecordReader({ url, database: 'odoo18', login: 'admin', apiKey: SANDBOX_API_KEY }).searchRead<{ id: number; name: string }>('account.journal', [['type', '=', 'bank']], ['name'], { order: 'id' })).map(
      ({ id, name }) => ({ id, name }),
    );

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a saved database without the journal gets it at its id on the next start; a new one is seeded with it; ids go on after it', async () => {
    const before = await startOdooSandbox({ dataDir });
    expect(await bankJournals(before.url)).toEqual([{ id: 6, name: 'Bank' }]);
    await before.close();

    const after = await startOdooSandbox({ dataDir, extraJournals: [PAYPAL] });
    expect(await bankJournals(after.url)).toEqual([{ id: 6, name: 'Bank' }, { id: 8, name: 'PayPal' }]);
    await after.close();

    const fresh = await startOdooSandbox({ extraJournals: [PAYPAL] });
    expect(await bankJournals(fresh.url)).toEqual([{ id: 6, name: 'Bank' }, { id: 8, name: 'PayPal' }]);
    const created = await new OdooRecordReader({ url: fresh.url, database: 'odoo18', login: 'admin', apiKey: SANDBOX_API_KEY }).create('account.journal', { name: 'Other bank', code: 'BNK2', type: 'bank' });
    expect(created).toBe(9);
    await fresh.close();
  });

  it('refuses an extra journal at a recorded journal’s id', async () => {
    await expect(startOdooSandbox({ extraJournals: [{ ...PAYPAL, id: 6 }] })).rejects.toThrow('id 6 is a recorded journal');
  });
});
