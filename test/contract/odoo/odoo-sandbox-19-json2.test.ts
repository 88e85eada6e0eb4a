import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SANDBOX_API_KEY, startOdooSandbox, type OdooSandbox } from '../../../local/sandboxes/odoo/server';
import { describeRecordedContractReplay } from './sandbox-fixture';

function json2(sandbox: OdooSandbox, model: string, method: string, body: unknown): Promise<Response> {
  return fetch(`${sandbox.url}/json/2/${model}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `bearer ${SANDBOX_API_KEY}`, 'x-odoo-database': 'odoo19' },
    body: JSON.stringify(body),
  });
}

describeRecordedContractReplay('19.0-json2', '19.0', 'Odoo 19.0 sandbox replays the recorded JSON-2 contract');

describe('Odoo 19.0 sandbox state', () => {
  it('survives a restart with the same dataDir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'odoo-sandbox-19-restart-'));
    try {
      const first = await startOdooSandbox({ version: '19.0', dataDir });
      const [invoiceId] = (await (
        await json2(first, 'account.move', 'create', {
          vals_list: [{ move_type: 'out_invoice', partner_id: 3, invoice_line_ids: [[0, 0, { name: 'Setup fee', quantity: 1, price_unit: 100 }]] }],
        })
      ).json()) as [number];
      await json2(first, 'account.move', 'action_post', { ids: [invoiceId] });
      await first.close();

      const second = await startOdooSandbox({ version: '19.0', dataDir });
      const [invoice] = (await (await json2(second, 'account.move', 'read', { ids: [invoiceId], fields: ['state', 'amount_total'] })).json()) as unknown[];
      // No tax given on the line: the company's default 15% applies, as recorded in the README.
      expect(invoice).toStrictEqual({ id: invoiceId, state: 'posted', amount_total: 115 });
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to open a data directory holding a database of another version', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'odoo-sandbox-19-mismatch-'));
    try {
      await (await startOdooSandbox({ version: '19.0', dataDir, database: 'shared' })).close();
      await expect(startOdooSandbox({ version: '18.0', dataDir, database: 'shared' })).rejects.toThrow(/Odoo 19.0 database/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
