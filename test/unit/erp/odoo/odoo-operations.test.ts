import { beforeEach, describe, expect, it } from 'vitest';
import { resetDatabaseGuards } from '../../../../functions/erp/odoo/database-guards';
import { cancelInvoice, createAndPostInvoice, createCreditNote, registerPayment } from '../../../../functions/erp/odoo/invoice-operations';
import { OdooUserError, OdooValidationError } from '../../../../functions/erp/odoo/odoo-errors';
import { addPartnerTag, removePartnerTag } from '../../../../functions/erp/odoo/partner-operations';
import {
  archive,
  createMany,
  postNote,
  resolveExternalIds,
  searchRead,
  upsertByExternalId,
} from '../../../../functions/erp/odoo/record-operations';
import { answer, type OdooVersionDir, recordedClient, recordedOdoo, recording, sentParams } from './recorded-odoo';

/** Ids the recorded databases gave (Odoo 18 over JSON-RPC, Odoo 19 over JSON-2). */
const IDS = {
  '18.0': { partner: 557, product: 2, invoice: 21, invoiceToCancel: 24, paymentWizard: 11, payment: 11, creditNote: 23, message: 647, loaded: 560, batch: [558, 559] },
  '19.0-json2': { partner: 7, product: 1, invoice: 1, invoiceToCancel: 6, paymentWizard: 1, payment: 1, creditNote: 5, message: 107, loaded: 10, batch: [8, 9] },
} as const;

/** JSON-RPC authenticates once per key and container; JSON-2 sends the key with each request. */
function withLogin(version: OdooVersionDir, counts: Record<string, number>): Record<string, number> {
  return version === '18.0' ? { 'common.authenticate': 1, ...counts } : counts;
}

describe.each(['18.0', '19.0-json2'] as const)('Odoo operations over %s', (version) => {
  const ids = IDS[version];

  beforeEach(() => resetDatabaseGuards());

  it('upsertByExternalId with a known id writes it in 1 call', async () => {
    // Prepare
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    // Act
    const result = await upsertByExternalId(client, 'res.partner', 'saas_sync.stripe_customer_cus_ACME1', { phone: '+1 555 0100' }, ids.partner);
    // Assess
    expect(result).toEqual({ id: ids.partner, created: false });
    expect(client.callCounts()).toEqual(withLogin(version, { 'res.partner.write': 1 }));
    expect(odoo.unmatched).toEqual([]);
  });

  it('upsertByExternalId without an id creates or updates through load() in 1 call, twice without duplicating', async () => {
    // Prepare
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    const externalId = 'saas_sync.stripe_customer_cus_LOAD1';
    // Act
    const first = await upsertByExternalId(client, 'res.partner', externalId, { name: 'Loaded Inc', email: 'ap@loaded.test', ref: 'cus_LOAD1' });
    const again = await upsertByExternalId(client, 'res.partner', externalId, { name: 'Loaded Incorporated', email: 'ap@loaded.test', ref: 'cus_LOAD1' });
    // Assess
    expect(first.id).toBe(ids.loaded);
    expect(again.id).toBe(ids.loaded);
    expect(client.callCounts()).toEqual(withLogin(version, { 'res.partner.load': 2 }));
    expect(odoo.requests.filter((r) => r.answeredBy?.startsWith('res.partner.load')).map((r) => r.answeredBy)).toEqual([
      'res.partner.load',
      'res.partner.load.again',
    ]);
  });

  it('upsertByExternalId falls back to load() when the known record was deleted: 2 calls', async () => {
    // Prepare
    const odoo = recordedOdoo(version, [answer('res.partner', 'load', { ids: [561], messages: [], nextrow: 0 })]);
    const client = recordedClient(version, odoo);
    // Act
    const result = await upsertByExternalId(client, 'res.partner', 'saas_sync.stripe_customer_cus_GONE', { name: 'x' }, 999999);
    // Assess
    expect(result.id).toBe(561);
    expect(client.callCounts()).toEqual(withLogin(version, { 'res.partner.write': 1, 'res.partner.load': 1 }));
    expect(odoo.requests.some((r) => r.answeredBy === 'res.partner.write.missing')).toBe(true);
  });

  it('upsertByExternalId sends load() cells as import text (booleans, many2one by database id, many2many ids)', async () => {
    // Prepare
    const odoo = recordedOdoo(version, [answer('res.partner', 'load', { ids: [562], messages: [], nextrow: 0 })]);
    const client = recordedClient(version, odoo);
    // Act
    await upsertByExternalId(client, 'res.partner', 'saas_sync.stripe_customer_cus_X', {
      name: 'X',
      is_company: true,
      vat: false,
      country_id: 233,
      customer_rank: 1,
      category_id: [[6, 0, [1, 2]]],
    });
    // Assess
    const load = odoo.requests.find((r) => JSON.stringify(r.body).includes('"load"') || r.path.endsWith('/load'))!;
    const fields = ['id', 'name', 'is_company', 'vat', 'country_id/.id', 'customer_rank', 'category_id/.id'];
    const data = [['saas_sync.stripe_customer_cus_X', 'X', '1', '', '233', '1', '1,2']];
    expect(sentParams(load)).toEqual(version === '18.0' ? { args: [fields, data], kwargs: {} } : { fields, data });
  });

  it('upsertByExternalId turns load() error messages into a validation error carrying Odoo text', async () => {
    // Prepare
    const messages = [{ type: 'error', field: 'email', message: 'Invalid email' }];
    const odoo = recordedOdoo(version, [answer('res.partner', 'load', { ids: false, messages })]);
    const client = recordedClient(version, odoo);
    // Act
    const upsert = upsertByExternalId(client, 'res.partner', 'saas_sync.stripe_customer_cus_BAD', { email: 'nope' });
    // Assess
    await expect(upsert).rejects.toThrow(OdooValidationError);
    await expect(upsert).rejects.toThrow('email: Invalid email');
  });

  it('upsertByExternalId refuses x2many commands load() cannot express, before any call', async () => {
    // Prepare
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    // Act
    const upsert = upsertByExternalId(client, 'res.partner', 'saas_sync.x', { category_id: [[4, 1]] });
    // Assess
    await expect(upsert).rejects.toThrow(TypeError);
    expect(odoo.requests).toEqual([]);
  });

  it('createMany creates every record in 1 call and returns the ids in order', async () => {
    // Prepare
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    // Act
    const created = await createMany(client, 'res.partner', [
      { name: 'Beta LLC', ref: 'cus_B' },
      { name: 'Gamma GmbH', ref: 'cus_G' },
    ]);
    // Assess
    expect(created).toEqual(ids.batch);
    expect(client.callCounts()).toEqual(withLogin(version, { 'res.partner.create': 1 }));
    expect(odoo.unmatched).toEqual([]);
  });

  it('createMany of nothing sends nothing', async () => {
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    expect(await createMany(client, 'res.partner', [])).toEqual([]);
    expect(odoo.requests).toEqual([]);
  });

  it('searchRead finds a partner by reference in 1 call', async () => {
    // Prepare
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    // Act
    const rows = await searchRead(client, 'res.partner', [['ref', '=', 'cus_ACME1']], ['id', 'name', 'email', 'ref', 'write_date'], { limit: 1 });
    // Assess
    expect(rows).toEqual([expect.objectContaining({ id: ids.partner, ref: 'cus_ACME1', name: 'Acme Corp' })]);
    expect(client.callCounts()).toEqual(withLogin(version, { 'res.partner.search_read': 1 }));
    expect(odoo.unmatched).toEqual([]);
  });

  it('resolveExternalIds resolves several external ids in 1 call and leaves unknown ones out', async () => {
    // Prepare
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    // Act
    const resolved = await resolveExternalIds(client, ['saas_sync.stripe_customer_cus_ACME1', 'saas_sync.stripe_customer_cus_NOPE']);
    // Assess
    expect([...resolved]).toEqual([['saas_sync.stripe_customer_cus_ACME1', { model: 'res.partner', id: ids.partner }]]);
    expect(client.callCounts()).toEqual(withLogin(version, { 'ir.model.data.search_read': 1 }));
    expect(odoo.unmatched).toEqual([]);
  });

  it('resolveExternalIds across modules is still 1 call', async () => {
    // Prepare
    const odoo = recordedOdoo(version, [
      answer('ir.model.data', 'search_read', [
        { id: 1, module: 'saas_sync', name: 'a', model: 'res.partner', res_id: 5 },
        { id: 2, module: 'other', name: 'b', model: 'product.product', res_id: 6 },
      ]),
    ]);
    const client = recordedClient(version, odoo);
    // Act
    const resolved = await resolveExternalIds(client, ['saas_sync.a', 'other.b']);
    // Assess
    expect(resolved.get('saas_sync.a')).toEqual({ model: 'res.partner', id: 5 });
    expect(resolved.get('other.b')).toEqual({ model: 'product.product', id: 6 });
    expect(client.callCounts()['ir.model.data.search_read']).toBe(1);
  });

  it('createAndPostInvoice creates, posts and reads back name and totals in 3 calls', async () => {
    // Prepare
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    const vals = {
      move_type: 'out_invoice',
      partner_id: ids.partner,
      ref: 'in_1001',
      payment_reference: 'in_1001',
      invoice_date: '2026-11-01',
      invoice_date_due: '2026-11-15',
      invoice_line_ids: [[0, 0, { product_id: ids.product, name: 'Pro plan Nov 2026', quantity: 1, price_unit: 49, tax_ids: [[6, 0, []]] }]],
    };
    // Act
    const invoice = await createAndPostInvoice(client, vals);
    // Assess
    expect(invoice).toMatchObject({ id: ids.invoice, name: version === '18.0' ? 'INV/2026/00021' : 'INV/2026/00001', state: 'posted', amountTotal: 49 });
    expect(client.callCounts()).toEqual(withLogin(version, { 'account.move.create': 1, 'account.move.action_post': 1, 'account.move.read': 1 }));
    expect(odoo.unmatched).toEqual([]);
  });

  it('createAndPostInvoice refuses a line without explicit taxes before any call (the default 15% would change the total)', async () => {
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    const post = createAndPostInvoice(client, { move_type: 'out_invoice', invoice_line_ids: [[0, 0, { price_unit: 49 }]] });
    await expect(post).rejects.toThrow(/explicit tax_ids/);
    expect(odoo.requests).toEqual([]);
  });

  it('createAndPostInvoice surfaces Odoo refusing to post an invoice without lines', async () => {
    // Prepare
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    // Act
    const post = createAndPostInvoice(client, { move_type: 'out_invoice', partner_id: ids.partner });
    // Assess
    await expect(post).rejects.toThrow(OdooUserError);
    await expect(post).rejects.toThrow(version === '18.0' ? 'You need to add a line before posting.' : "Even magicians can't post nothing!");
  });

  it('registerPayment names the invoice’s open receivable items in the wizard (no per-invoice context, so wizards merge) and returns the payment', async () => {
    // Prepare: the recorded wizard's answer; the requests differ from the recording by naming the items, not the context.
    const calls: Array<{ operation: string; params: unknown }> = [];
    const created = (version === '18.0'
      ? (recording(version, 'account.payment.register.action_create_payments').response.body as { result: unknown }).result
      : recording(version, 'account.payment.register.action_create_payments').response.body) as { res_id: number };
    const client = {
      call: async <T>(model: string, method: string, params?: unknown): Promise<T> => {
        calls.push({ operation: `${model}.${method}`, params });
        return (method === 'search_read' ? [{ id: 71 }] : method === 'create' ? [42] : created) as T;
      },
    };
    // Act
    const result = await registerPayment(client, ids.invoice, { amount: 20, paymentDate: '2026-11-03', communication: 'ch_PART1', journalId: 6 });
    // Assess
    expect(result).toEqual({ paymentId: created.res_id });
    expect(calls).toEqual([
      {
        operation: 'account.move.line.search_read',
        params: { domain: [['move_id', '=', ids.invoice], ['display_type', '=', 'payment_term'], ['reconciled', '=', false]], fields: ['id'] },
      },
      {
        operation: 'account.payment.register.create',
        params: { vals_list: [{ line_ids: [[6, 0, [71]]], amount: 20, payment_date: '2026-11-03', communication: 'ch_PART1', journal_id: 6 }] },
      },
      { operation: 'account.payment.register.action_create_payments', params: { ids: [42] } },
    ]);
  });

  it('registerPayment on an invoice with no open receivable item refuses as Odoo’s wizard does, before creating anything', async () => {
    const calls: string[] = [];
    const client = {
      call: async <T>(model: string, method: string): Promise<T> => {
        calls.push(`${model}.${method}`);
        return [] as T;
      },
    };
    const register = registerPayment(client, ids.invoice, { amount: 20, paymentDate: '2026-11-03', communication: 'ch_PAID' });
    await expect(register).rejects.toThrow(OdooUserError);
    await expect(register).rejects.toThrow(/nothing left to pay/);
    expect(calls).toEqual(['account.move.line.search_read']);
  });

  it('createCreditNote goes through the reversal wizard in 2 calls, naming the journal and the invoice, and returns the new draft credit note', async () => {
    // Prepare: the recorded wizard answers; the request differs from the recording by the journal and move_ids it names
    // (a real Odoo 18 refuses the wizard without its journal: test/contract/odoo/real-odoo-cases).
    const calls: Array<{ operation: string; params: unknown }> = [];
    const refundMoves = (version === '18.0'
      ? (recording(version, 'account.move.reversal.refund_moves').response.body as { result: unknown }).result
      : recording(version, 'account.move.reversal.refund_moves').response.body) as { res_id: number };
    const client = {
      call: async <T>(model: string, method: string, params?: unknown): Promise<T> => {
        calls.push({ operation: `${model}.${method}`, params });
        return (method === 'create' ? [41] : refundMoves) as T;
      },
    };
    // Act
    const result = await createCreditNote(client, ids.invoice, { reason: 're_1001 refund', date: '2026-11-05', journalId: 1 });
    // Assess
    expect(result).toEqual({ creditNoteId: refundMoves.res_id });
    expect(calls).toEqual([
      {
        operation: 'account.move.reversal.create',
        params: {
          vals_list: [{ reason: 're_1001 refund', date: '2026-11-05', journal_id: 1, move_ids: [[6, 0, [ids.invoice]]] }],
          context: { active_model: 'account.move', active_ids: [ids.invoice] },
        },
      },
      { operation: 'account.move.reversal.refund_moves', params: { ids: [41], context: { active_model: 'account.move', active_ids: [ids.invoice] } } },
    ]);
  });

  it('cancelInvoice resets to draft then cancels: 2 calls', async () => {
    // Prepare
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    // Act
    await cancelInvoice(client, ids.invoiceToCancel);
    // Assess
    expect(odoo.requests.map((r) => r.answeredBy).filter((n) => n !== 'common.authenticate')).toEqual([
      'account.move.button_draft',
      'account.move.button_cancel',
    ]);
    expect(client.callCounts()).toEqual(withLogin(version, { 'account.move.button_draft': 1, 'account.move.button_cancel': 1 }));
  });

  it('postNote logs a chatter note in 1 call and returns the message id', async () => {
    // Prepare
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    // Act
    const messageId = await postNote(client, 'res.partner', ids.partner, 'Payment failed for in_1001 (card_declined). Dunning started.');
    // Assess
    expect(messageId).toBe(ids.message);
    expect(client.callCounts()).toEqual(withLogin(version, { 'res.partner.message_post': 1 }));
    expect(odoo.unmatched).toEqual([]);
  });

  it('addPartnerTag links the tag with (4, id) in 1 call', async () => {
    const odoo = recordedOdoo(version);
    const client = recordedClient(version, odoo);
    await addPartnerTag(client, ids.partner, 1);
    expect(odoo.requests.at(-1)?.answeredBy).toBe('res.partner.write.tags');
    expect(client.callCounts()).toEqual(withLogin(version, { 'res.partner.write': 1 }));
  });

  it('removePartnerTag unlinks the tag with (3, id) in 1 call', async () => {
    const odoo = recordedOdoo(version, [answer('res.partner', 'write', true)]);
    const client = recordedClient(version, odoo);
    await removePartnerTag(client, ids.partner, 1);
    const vals = { category_id: [[3, 1]] };
    expect(sentParams(odoo.requests.at(-1)!)).toEqual(
      version === '18.0' ? { args: [[ids.partner], vals], kwargs: {} } : { ids: [ids.partner], vals },
    );
    expect(client.callCounts()).toEqual(withLogin(version, { 'res.partner.write': 1 }));
  });

  it('archive writes active = false in 1 call', async () => {
    const odoo = recordedOdoo(version, [answer('res.partner', 'write', true)]);
    const client = recordedClient(version, odoo);
    await archive(client, 'res.partner', ids.partner);
    const vals = { active: false };
    expect(sentParams(odoo.requests.at(-1)!)).toEqual(
      version === '18.0' ? { args: [[ids.partner], vals], kwargs: {} } : { ids: [ids.partner], vals },
    );
    expect(client.callCounts()).toEqual(withLogin(version, { 'res.partner.write': 1 }));
  });
});

describe('Odoo calls map named params onto each transport as recorded', () => {
  beforeEach(() => resetDatabaseGuards());

  it('JSON-2: every recorded call with named arguments is sent byte for byte and its result returned', async () => {
    // Prepare
    const { recordings } = await import('./recorded-odoo');
    const odoo = recordedOdoo('19.0-json2');
    const client = recordedClient('19.0-json2', odoo);
    const calls = [...recordings('19.0-json2').values()].filter(
      (r) => r.request.path.startsWith('/json/2/') && r.response.status === 200 && r.request.headers?.Authorization && r.request.headers['X-Odoo-Database'],
    );
    // Act
    const results: Array<[string, unknown]> = [];
    for (const r of calls) {
      const [, , , model = '', method = ''] = r.request.path.split('/');
      results.push([r.name, await client.call(model, method, r.request.body as Record<string, unknown>)]);
    }
    // Assess
    expect(calls.length).toBeGreaterThan(40);
    expect(results).toEqual(calls.map((r) => [r.name, r.response.body]));
    expect(odoo.unmatched).toEqual([]);
  });

  it.each([
    ['res.currency.search_read', 'res.currency', 'search_read', { domain: [['name', 'in', ['USD', 'EUR']]], fields: ['name', 'active', 'decimal_places', 'rounding'], context: { active_test: false } }],
    ['res.currency.write.activate', 'res.currency', 'write', { ids: [125], vals: { active: true } }],
    ['res.partner.fields_get', 'res.partner', 'fields_get', { allfields: ['name', 'email', 'ref', 'vat', 'category_id', 'customer_rank'], attributes: ['type', 'string', 'required', 'relation', 'readonly'] }],
    ['res.partner.search_count', 'res.partner', 'search_count', { domain: [['customer_rank', '>', 0]] }],
    ['res.partner.read.missing', 'res.partner', 'read', { ids: [999999], fields: ['name'] }],
    ['account.move.read.draft', 'account.move', 'read', { ids: [21], fields: ['name', 'state', 'move_type', 'amount_untaxed', 'amount_tax', 'amount_total', 'amount_residual', 'payment_state', 'currency_id', 'partner_id', 'invoice_date', 'ref'] }],
    ['sale.order.action_confirm', 'sale.order', 'action_confirm', { ids: [1] }],
    ['product.product.create', 'product.product', 'create', { vals_list: [{ name: 'Pro plan (monthly)', type: 'service', list_price: 49, default_code: 'price_PRO_M', taxes_id: [[6, 0, []]] }] }],
  ])('JSON-RPC: %s is sent as recorded (positional args + kwargs)', async (name, model, method, params) => {
    // Prepare
    const odoo = recordedOdoo('18.0');
    const client = recordedClient('18.0', odoo);
    // Act
    const result = await client.call(model, method, params);
    // Assess
    const { recording } = await import('./recorded-odoo');
    const recorded = (recording('18.0', name).response.body as { result?: unknown }).result;
    expect(odoo.requests.map((r) => r.answeredBy)).toEqual(['common.authenticate', name]);
    expect(result).toEqual(method === 'create' ? [recorded] : recorded);
  });

  it('JSON-RPC: a method returning None (no result member) resolves to null', async () => {
    const odoo = recordedOdoo('18.0');
    const client = recordedClient('18.0', odoo);
    expect(await client.call('account.move', 'button_draft', { ids: [24] })).toBeNull();
  });
});
