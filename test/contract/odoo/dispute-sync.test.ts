/**
 * The dispute use case over the real Odoo client, the billing ledger and the standing adapter, against the
 * Odoo sandbox: Odoo 18 over JSON-RPC, Odoo 19 over JSON-2. Amounts are read back from Odoo.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { DisputeUpdated } from '../../../events/dispute-updated';
import { createAndPostInvoice, minorToOdooAmount, type OdooClient, odooAmountToMinor, searchRead } from '../../../functions/erp/odoo';
import { OdooAccountStandingLedger } from '../../../functions/erp/odoo/account-standing-ledger';
import { OdooBillingLedger } from '../../../functions/erp/odoo/billing-ledger';
import { DependencyMissingError } from '../../../functions/domain/invoice-errors';
import { type DisputeSyncPorts, syncDisputeUpdated } from '../../../functions/flows/billing-sync/dispute-sync';
import { SANDBOX_TARGETS, sandboxBillingConfig, sandboxForSuite, syncedCustomerPartner } from './sandbox-fixture';
import { InMemoryIdentityMap, InMemoryWatermarks, customerIdentityTestPorts } from '../../support/in-memory-ports';
import { canonicalEnvelopes } from '../../support/canonical-envelopes';

const API_KEY = 'dispute-contract-key';
const CUSTOMER = 'cus_DSPC1';
const config = sandboxBillingConfig();

type Dispute = DisputeUpdated['data']['dispute'];
const dispute = (status: string, closed: boolean, overrides: Partial<Dispute> = {}): Dispute => ({
  system: 'stripe', account: null, id: 'dp_C1', chargeId: 'ch_C1', paymentIntentId: 'pi_C1', invoiceId: 'in_D1', customerId: CUSTOMER,
  amount: 4999, currency: 'usd', reason: 'fraudulent', status, closed, updatedAt: '2026-11-10T10:00:00Z', ...overrides,
});
const envelope = canonicalEnvelopes({ start: '2026-11-10T10:00:00Z' });
const updated = (data: Dispute): DisputeUpdated => ({ ...envelope('dispute.updated', `stripe:dispute:${data.id}`), type: 'dispute.updated', data: { dispute: data } });

describe.each(SANDBOX_TARGETS)('dispute sync against the Odoo $version sandbox over $transport', (target) => {
  const sandbox = sandboxForSuite(target, API_KEY);
  let client: OdooClient;
  let calls: string[];
  let partnerId: number;
  let ports: DisputeSyncPorts;

  beforeEach(async () => {
    envelope.reset();
    calls = [];
    client = sandbox.freshClient((operation) => calls.push(operation));
    partnerId = await syncedCustomerPartner(client, CUSTOMER, 'Acme Corp');
    const billing = new OdooBillingLedger(client);
    ports = { ledger: billing, standing: new OdooAccountStandingLedger(client, billing), identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(), watermarks: new InMemoryWatermarks(), config };
  });

  /** The invoice flow has posted the provider invoice (`ref` = its id). */
  async function postInvoice(ref: string, minor: number): Promise<number> {
    const { id } = await createAndPostInvoice(client, {
      move_type: 'out_invoice', partner_id: partnerId, ref, payment_reference: ref, invoice_date: '2026-11-01',
      invoice_line_ids: [[0, 0, { name: 'Pro plan', quantity: 1, price_unit: minorToOdooAmount(minor, 2), tax_ids: [[6, 0, []]] }]],
    });
    return id;
  }
  const creditNotes = (invoiceId: number) =>
    searchRead(client, 'account.move', [['move_type', '=', 'out_refund'], ['reversed_entry_id', '=', invoiceId]], ['state', 'amount_total', 'ref', 'partner_id']);
  const tagsOf = async () => (await searchRead(client, 'res.partner', [['id', '=', partnerId]], ['category_id']))[0]?.category_id;
  const notesOn = async (model: string, id: number) =>
    (await searchRead(client, 'mail.message', [['model', '=', model], ['res_id', '=', id]], ['body'], { order: 'id asc' })).map((m) => String(m.body));

  it('flags the partner while open and notes amount and reason on the partner and the invoice', async () => {
    // Prepare
    const invoiceId = await postInvoice('in_D1', 4999);
    calls = [];
    // Act
    const outcome = await syncDisputeUpdated(updated(dispute('needs_response', false)), ports);
    const [tag] = await searchRead(client, 'res.partner.category', [['name', '=', 'Disputed']], ['name']);
    // Assess
    expect(outcome).toEqual({ outcome: 'flagged', partnerId, invoiceMoveId: invoiceId });
    expect(await tagsOf()).toEqual([tag?.id]);
    expect(await notesOn('res.partner', partnerId)).toEqual([expect.stringContaining('49.99 USD, reason: fraudulent')]);
    expect(await notesOn('account.move', invoiceId)).toEqual([expect.stringContaining('Dispute dp_C1')]);
  });

  it('lost → one posted credit note of the disputed amount and the tag removed, whichever of open and lost comes first', async () => {
    // Prepare
    const invoiceId = await postInvoice('in_D1', 4999);
    const open = updated(dispute('needs_response', false));
    const lost = updated(dispute('lost', true));
    // Act: the close arrives first, the open late, then both again.
    const first = await syncDisputeUpdated(lost, ports);
    await syncDisputeUpdated(open, ports);
    await syncDisputeUpdated(lost, ports);
    await syncDisputeUpdated(open, ports);
    const notes = await creditNotes(invoiceId);
    // Assess
    expect(first).toMatchObject({ outcome: 'lost', reversal: 'full', invoiceMoveId: invoiceId });
    expect(notes).toEqual([expect.objectContaining({ state: 'posted', partner_id: [partnerId, 'Acme Corp'], ref: expect.stringContaining('Lost dispute dp_C1') })]);
    expect(odooAmountToMinor(Number(notes[0]?.amount_total), 2)).toBe(4999);
    expect(await tagsOf()).toEqual([]);
  });

  it('lost on part of an invoice → an out_refund of exactly the disputed amount', async () => {
    // Prepare
    const invoiceId = await postInvoice('in_D1', 10000);
    await syncDisputeUpdated(updated(dispute('needs_response', false, { amount: 3333 })), ports);
    calls = [];
    // Act
    const outcome = await syncDisputeUpdated(updated(dispute('lost', true, { amount: 3333 })), ports);
    const lostCalls = [...calls];
    const notes = await creditNotes(invoiceId);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'lost', reversal: 'partial' });
    expect(notes).toHaveLength(1);
    expect(odooAmountToMinor(Number(notes[0]?.amount_total), 2)).toBe(3333);
    expect(await tagsOf()).toEqual([]);
    // Identity map warm for partner and invoice: read the invoice (+ its currency, once per container), find a reversal
    // by marker, create + post + read back + link the credit note, the chargeback's outbound payment (found by memo, else
    // the payment wizard), untag, one note on the partner and one on the invoice.
    expect(lostCalls).toEqual([
      'account.move.read', 'res.currency.search_read', 'account.move.search_read', 'account.move.create', 'account.move.action_post', 'account.move.read',
      'account.move.write', 'account.payment.search_read', 'account.move.line.search_read', 'account.payment.register.create',
      'account.payment.register.action_create_payments',
      'res.partner.write', 'res.partner.message_post', 'account.move.message_post',
    ]);
  });

  it('waits (retryable, writing nothing) for the invoice of a lost dispute that is not in Odoo yet', async () => {
    const tagsBefore = (await tagsOf()) as unknown[];
    const notesBefore = await notesOn('res.partner', partnerId);
    const error = await syncDisputeUpdated(updated(dispute('lost', true, { invoiceId: 'in_UNKNOWN' })), ports).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyMissingError);
    expect(await tagsOf()).toEqual(tagsBefore);
    expect(await notesOn('res.partner', partnerId)).toEqual(notesBefore);
  });
});
