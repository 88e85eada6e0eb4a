import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_API_KEY, startOdooSandbox, type OdooSandbox } from '../../../local/sandboxes/odoo/server';
import { describeRecordedContractReplay } from './sandbox-fixture';

async function jsonRpc(sandbox: OdooSandbox, service: string, method: string, args: unknown[]): Promise<unknown> {
  const response = await fetch(`${sandbox.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: 1 }),
  });
  return ((await response.json()) as { result?: unknown }).result;
}

function executeKw(sandbox: OdooSandbox, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<unknown> {
  return jsonRpc(sandbox, 'object', 'execute_kw', ['odoo18', 2, SANDBOX_API_KEY, model, method, args, kwargs]);
}

describeRecordedContractReplay('18.0', '18.0', 'Odoo 18.0 sandbox replays the recorded JSON-RPC contract');

describe('Odoo 18.0 sandbox behaviour the fixtures imply but do not spell out', () => {
  let sandbox: OdooSandbox;
  const call = (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) => executeKw(sandbox, model, method, args, kwargs);

  beforeAll(async () => {
    sandbox = await startOdooSandbox({ version: '18.0' });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('evaluates prefix-notation domains with limit, offset, order and active_test', async () => {
    const [alpha, beta, gamma] = (await call('res.partner', 'create', [
      [
        { name: 'Domain Alpha', ref: 'd1', customer_rank: 1 },
        { name: 'Domain Beta', ref: 'd2', customer_rank: 5 },
        { name: 'Domain Gamma', ref: 'd3', active: false },
      ],
    ])) as [number, number, number];

    const search = (domain: unknown[], kwargs: Record<string, unknown> = {}) => call('res.partner', 'search', [domain], kwargs);
    expect(await search([['name', 'ilike', 'domain %']])).toStrictEqual([alpha, beta]);
    expect(await search([['name', 'ilike', 'domain']], { context: { active_test: false } })).toStrictEqual([alpha, beta, gamma]);
    expect(await search(['|', ['ref', '=', 'd1'], ['ref', '=', 'd3']], { context: { active_test: false } })).toStrictEqual([alpha, gamma]);
    expect(await search(['&', ['ref', 'in', ['d1', 'd2']], '!', ['customer_rank', '>=', 5]])).toStrictEqual([alpha]);
    expect(await search([['ref', 'not in', ['d1']], ['ref', 'like', 'd']])).toStrictEqual([beta]);
    expect(await search([['ref', '!=', false], ['customer_rank', '<', 5], ['customer_rank', '>', 0], ['customer_rank', '<=', 1]])).toStrictEqual([alpha]);
    expect(await search([['name', 'like', 'Domain']], { order: 'customer_rank desc', limit: 1 })).toStrictEqual([beta]);
    expect(await search([['name', 'like', 'Domain']], { order: 'name', offset: 1 })).toStrictEqual([beta]);
    expect(await search([['active', '=', false], ['name', 'like', 'Domain']])).toStrictEqual([gamma]);
  });

  it('applies many2many commands to partner tags: set, unlink, link', async () => {
    const [pastDue, vip] = (await call('res.partner.category', 'create', [[{ name: 'Past due' }, { name: 'VIP' }]])) as [number, number];
    const partner = (await call('res.partner', 'create', [{ name: 'Tagged Co' }])) as number;
    const tagsOf = async () => {
      const [row] = (await call('res.partner', 'read', [[partner]], { fields: ['category_id'] })) as Array<{ category_id: number[] }>;
      return row?.category_id;
    };

    await call('res.partner', 'write', [[partner], { category_id: [[6, 0, [pastDue, vip]]] }]);
    expect(await tagsOf()).toStrictEqual([pastDue, vip]);
    await call('res.partner', 'write', [[partner], { category_id: [[3, pastDue]] }]);
    expect(await tagsOf()).toStrictEqual([vip]);
    await call('res.partner', 'write', [[partner], { category_id: [[4, pastDue]] }]);
    expect(await tagsOf()).toStrictEqual([vip, pastDue]);
  });

  it('taxes a line without tax_ids at the default 15% and keeps zero- and three-decimal currencies exact', async () => {
    const partner = (await call('res.partner', 'create', [{ name: 'Totals Co' }])) as number;
    const totalsOf = async (currencyId: number, lines: unknown[]) => {
      const invoice = await call('account.move', 'create', [
        { move_type: 'out_invoice', partner_id: partner, currency_id: currencyId, invoice_line_ids: lines },
      ]);
      return ((await call('account.move', 'read', [[invoice]], { fields: ['amount_untaxed', 'amount_tax', 'amount_total'] })) as unknown[])[0];
    };
    const jpyId = 25;
    const kwdId = 94;

    expect(await totalsOf(1, [[0, 0, { name: 'Seat', quantity: 3, price_unit: 19.99 }]])).toMatchObject({
      amount_untaxed: 59.97,
      amount_tax: 9,
      amount_total: 68.97,
    });
    expect(await totalsOf(jpyId, [[0, 0, { name: 'Seat', quantity: 3, price_unit: 333.5, tax_ids: [[6, 0, []]] }]])).toMatchObject({ amount_total: 1001 });
    expect(await totalsOf(kwdId, [[0, 0, { name: 'Seat', quantity: 7, price_unit: 0.1, tax_ids: [[6, 0, []]] }]])).toMatchObject({ amount_total: 0.7 });
  });

  it('cancels a confirmed order when the caller skips the 18.0 cancel wizard (disable_cancel_warning)', async () => {
    const partner = (await call('res.partner', 'create', [{ name: 'Order Co' }])) as number;
    const orderLine = { name: 'Plan', price_unit: 10, tax_id: [[6, 0, []]] };
    const order = (await call('sale.order', 'create', [{ partner_id: partner, order_line: [[0, 0, orderLine]] }])) as number;
    await call('sale.order', 'action_confirm', [[order]]);

    expect(await call('sale.order', 'action_cancel', [[order]], { context: { disable_cancel_warning: true } })).toBe(true);
    expect(await call('sale.order', 'read', [[order]], { fields: ['state'] })).toStrictEqual([{ id: order, state: 'cancel' }]);
  });
});

describe('Odoo 18.0 sandbox state', () => {
  it('survives a restart with the same dataDir, and reset() goes back to the seed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'odoo-sandbox-restart-'));
    try {
      const first = await startOdooSandbox({ version: '18.0', dataDir });
      const partnerId = await executeKw(first, 'res.partner', 'create', [{ name: 'Persisted Ltd', ref: 'cus_PERSIST' }]);
      await first.close();

      const second = await startOdooSandbox({ version: '18.0', dataDir });
      const found = await executeKw(second, 'res.partner', 'search_read', [[['ref', '=', 'cus_PERSIST']]], { fields: ['name'] });
      expect(found).toStrictEqual([{ id: partnerId, name: 'Persisted Ltd' }]);

      second.reset();
      const afterReset = await executeKw(second, 'res.partner', 'search_count', [[['ref', '=', 'cus_PERSIST']]]);
      expect(afterReset).toBe(0);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('rolls back a call that fails half-way, as Odoo rolls back the request', async () => {
    const sandbox = await startOdooSandbox({ version: '18.0' });
    try {
      // The second record of the batch has an unknown field: the first must not stay created.
      await executeKw(sandbox, 'res.partner', 'create', [[{ name: 'Rollback A' }, { name: 'Rollback B', x_nope: 1 }]]);
      expect(await executeKw(sandbox, 'res.partner', 'search_count', [[['name', 'like', 'Rollback']]])).toBe(0);
    } finally {
      await sandbox.close();
    }
  });
});

describe('Odoo sandbox version probes', () => {
  it.each([
    ['18.0', '18.0+e-20241005', [18, 0, 0, 'final', 0, '']],
    ['19.0', '19.0', [19, 0, 0, 'final', 0, '']],
  ] as const)('reports %s through GET /web/version and common.version', async (version, serverVersion, versionInfo) => {
    const sandbox = await startOdooSandbox({ version });
    try {
      const webVersion = await (await fetch(`${sandbox.url}/web/version`)).json();
      expect(webVersion).toStrictEqual({ version_info: versionInfo, version: serverVersion });

      const commonVersion = await jsonRpc(sandbox, 'common', 'version', []);
      expect(commonVersion).toStrictEqual({ server_version: serverVersion, server_version_info: versionInfo, server_serie: version, protocol_version: 1 });
    } finally {
      await sandbox.close();
    }
  });

  it('has no JSON-2 endpoint when impersonating 18.0', async () => {
    const sandbox = await startOdooSandbox({ version: '18.0' });
    try {
      const response = await fetch(`${sandbox.url}/json/2/res.partner/search`, {
        method: 'POST',
        headers: { authorization: `bearer ${SANDBOX_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ domain: [] }),
      });
      expect(response.status).toBe(404);
    } finally {
      await sandbox.close();
    }
  });
});
