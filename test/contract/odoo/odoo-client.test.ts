/**
 * The Odoo client against the Odoo sandbox (local/sandboxes/odoo), over both transports:
 * Odoo 18 over JSON-RPC, Odoo 19 over JSON-2 (and over the JSON-RPC it still serves).
 * Each case runs the operations the flows use end to end and checks what finance would see in Odoo.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOdooSandbox } from '../../../local/sandboxes/odoo/server';
import {
  addPartnerTag,
  archive,
  cancelInvoice,
  createAndPostInvoice,
  createCreditNote,
  createMany,
  minorToOdooAmount,
  OdooAccessError,
  OdooClient,
  OdooMissingError,
  OdooUserError,
  odooAmountToMinor,
  postNote,
  registerPayment,
  removePartnerTag,
  resetDatabaseGuards,
  resolveExternalIds,
  searchRead,
  upsertByExternalId,
  type ApiKeyProvider,
  type OdooTransportChoice,
} from '../../../functions/erp/odoo';

const API_KEY = 'contract-test-key';

function keyProvider(...keys: string[]): ApiKeyProvider & { invalidations: number } {
  let index = 0;
  return {
    invalidations: 0,
    async get() {
      return keys[Math.min(index, keys.length - 1)]!;
    },
    invalidate() {
      this.invalidations++;
      index++;
    },
  };
}

describe.each([
  { version: '18.0', transport: 'auto', expected: 'jsonrpc' },
  { version: '19.0', transport: 'auto', expected: 'json2' },
  { version: '19.0', transport: 'jsonrpc', expected: 'jsonrpc' },
] as const)('Odoo client against the Odoo $version sandbox, transport $transport', ({ version, transport, expected }) => {
  let sandbox: Awaited<ReturnType<typeof startOdooSandbox>>;

  const clientFor = (apiKey: ApiKeyProvider = keyProvider(API_KEY), choice: OdooTransportChoice = transport) =>
    new OdooClient({
      // The rate limit has its unit tests; here it would only slow the scenario down.
      connection: { url: sandbox.url, database: `odoo${version.split('.')[0]}`, login: 'admin', transport: choice, ratePerSecond: 1000 },
      apiKey,
    });

  beforeAll(async () => {
    // In memory: persistence is the sandbox's own concern, and writing each request to disk is slow.
    sandbox = await startOdooSandbox({ port: 0, apiKey: API_KEY, version });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  beforeEach(() => {
    resetDatabaseGuards();
    sandbox.reset();
  });

  it(`picks ${expected}`, async () => {
    expect(await clientFor().transportKind()).toBe(expected);
  });

  it('upserts a customer by external id without duplicating it, then finds, tags, notes and archives it', async () => {
    // Prepare
    const client = clientFor();
    const externalId = 'saas_sync.stripe_customer_cus_C1';
    // Act
    const first = await upsertByExternalId(client, 'res.partner', externalId, { name: 'Contract Co', email: 'ap@contract.test', ref: 'cus_C1', is_company: true });
    const again = await upsertByExternalId(client, 'res.partner', externalId, { name: 'Contract Company', email: 'ap@contract.test', ref: 'cus_C1', is_company: true });
    const known = await upsertByExternalId(client, 'res.partner', externalId, { phone: '+1 555 0100' }, first.id);
    const found = await searchRead(client, 'res.partner', [['ref', '=', 'cus_C1']], ['name', 'phone', 'is_company']);
    const resolved = await resolveExternalIds(client, [externalId, 'saas_sync.stripe_customer_cus_NONE']);
    const [tagId] = await client.call<number[]>('res.partner.category', 'create', { vals_list: [{ name: 'Past due' }] });
    await addPartnerTag(client, first.id, tagId!);
    const tagged = await searchRead(client, 'res.partner', [['id', '=', first.id]], ['category_id']);
    await removePartnerTag(client, first.id, tagId!);
    const untagged = await searchRead(client, 'res.partner', [['id', '=', first.id]], ['category_id']);
    const messageId = await postNote(client, 'res.partner', first.id, 'Dunning started.');
    await archive(client, 'res.partner', first.id);
    const afterArchive = await searchRead(client, 'res.partner', [['ref', '=', 'cus_C1']], ['name']);
    // Assess
    expect(again.id).toBe(first.id);
    expect(known).toEqual({ id: first.id, created: false });
    expect(found).toEqual([expect.objectContaining({ id: first.id, name: 'Contract Company', phone: '+1 555 0100', is_company: true })]);
    expect([...resolved]).toEqual([[externalId, { model: 'res.partner', id: first.id }]]);
    expect(tagged[0]?.category_id).toEqual([tagId]);
    expect(untagged[0]?.category_id).toEqual([]);
    expect(typeof messageId).toBe('number');
    expect(afterArchive).toEqual([]);
  });

  it('creates many customers in one request', async () => {
    const client = clientFor();
    await client.transportKind();
    client.resetCallCounts();
    const ids = await createMany(client, 'res.partner', [{ name: 'Beta LLC', ref: 'cus_B' }, { name: 'Gamma GmbH', ref: 'cus_G' }]);
    expect(ids).toHaveLength(2);
    expect(client.callCounts()['res.partner.create']).toBe(1);
  });

  it('invoices, collects in two payments, credits and cancels with totals equal to the provider to the cent', async () => {
    // Prepare
    const client = clientFor();
    const { id: partnerId } = await upsertByExternalId(client, 'res.partner', 'saas_sync.stripe_customer_cus_INV', { name: 'Acme Corp', ref: 'cus_INV' });
    const [productId] = await client.call<number[]>('product.product', 'create', {
      vals_list: [{ name: 'Pro plan (monthly)', type: 'service', list_price: 49, default_code: 'price_PRO_M', taxes_id: [[6, 0, []]] }],
    });
    const invoiceVals = (ref: string, minor: number) => ({
      move_type: 'out_invoice',
      partner_id: partnerId,
      ref,
      payment_reference: ref,
      invoice_date: '2026-11-01',
      invoice_line_ids: [[0, 0, { product_id: productId, name: 'Pro plan', quantity: 1, price_unit: minorToOdooAmount(minor, 2), tax_ids: [[6, 0, []]] }]],
    });
    client.resetCallCounts();
    // Act
    const invoice = await createAndPostInvoice(client, invoiceVals('in_C1', 4999));
    const postingCalls = { ...client.callCounts() };
    const firstPayment = await registerPayment(client, invoice.id, { amount: minorToOdooAmount(2000, 2), paymentDate: '2026-11-03', communication: 'ch_PART1' });
    const secondPayment = await registerPayment(client, invoice.id, { amount: minorToOdooAmount(2999, 2), paymentDate: '2026-11-04', communication: 'ch_REST1' });
    const payments = await searchRead(client, 'account.payment', [['partner_id', '=', partnerId]], ['amount', 'memo']);
    const postAgain = await client.call('account.move', 'action_post', { ids: [invoice.id] }).catch((e: unknown) => e);
    const { creditNoteId } = await createCreditNote(client, invoice.id, { reason: 're_C1 refund', date: '2026-11-05', journalId: 1 });
    const [creditNote] = await client.call<Array<{ move_type: string; amount_total: number }>>('account.move', 'read', { ids: [creditNoteId], fields: ['move_type', 'amount_total'] });
    const voided = await createAndPostInvoice(client, invoiceVals('in_C2', 2000));
    await cancelInvoice(client, voided.id);
    const [cancelled] = await client.call<Array<{ state: string }>>('account.move', 'read', { ids: [voided.id], fields: ['state'] });
    // Assess
    expect(invoice.name).toMatch(/^INV\/2026\/\d+$/);
    expect(invoice.state).toBe('posted');
    expect(odooAmountToMinor(invoice.amountTotal!, 2)).toBe(4999);
    expect(postingCalls).toEqual({ 'account.move.create': 1, 'account.move.action_post': 1, 'account.move.read': 1 });
    expect(firstPayment.paymentId).not.toBe(secondPayment.paymentId);
    expect(payments.map((p) => [odooAmountToMinor(p.amount as number, 2), p.memo]).sort()).toEqual([
      [2000, 'ch_PART1'],
      [2999, 'ch_REST1'],
    ]);
    expect(postAgain).toBeInstanceOf(OdooUserError);
    expect(creditNote?.move_type).toBe('out_refund');
    expect(odooAmountToMinor(creditNote!.amount_total, 2)).toBe(4999);
    expect(cancelled?.state).toBe('cancel');
  });

  it('reports Odoo refusals with the right error class and message', async () => {
    // Prepare
    const client = clientFor();
    const { id: partnerId } = await upsertByExternalId(client, 'res.partner', 'saas_sync.stripe_customer_cus_ERR', { name: 'Err Corp' });
    const [emptyInvoice] = await client.call<number[]>('account.move', 'create', { vals_list: [{ move_type: 'out_invoice', partner_id: partnerId }] });
    // Act
    const missing = await client.call('res.partner', 'write', { ids: [999999], vals: { name: 'x' } }).catch((e: unknown) => e);
    const noLines = await client.call('account.move', 'action_post', { ids: [emptyInvoice] }).catch((e: unknown) => e);
    // Assess
    expect(missing).toBeInstanceOf(OdooMissingError);
    expect(noLines).toBeInstanceOf(OdooUserError);
    expect((noLines as OdooUserError).message).toBe(version === '18.0' ? 'You need to add a line before posting.' : "Even magicians can't post nothing!");
  });

  it('picks up a rotated API key after one rejection, and gives up with an access error on a wrong one', async () => {
    // Prepare
    const rotated = keyProvider('revoked-key', API_KEY);
    const wrong = keyProvider('wrong-key', 'still-wrong');
    // Act
    const count = await clientFor(rotated).call('res.partner', 'search_count', { domain: [] });
    const refused = await clientFor(wrong).call('res.partner', 'search_count', { domain: [] }).catch((e: unknown) => e);
    // Assess
    expect(typeof count).toBe('number');
    expect(rotated.invalidations).toBe(1);
    expect(refused).toBeInstanceOf(OdooAccessError);
    expect(wrong.invalidations).toBe(1);
  });
});
