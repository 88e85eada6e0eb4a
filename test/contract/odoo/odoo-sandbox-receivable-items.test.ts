import { describe, expect, it } from 'vitest';
import { OdooClient } from '../../../functions/erp/odoo';
import { SANDBOX_API_KEY, startOdooSandbox } from '../../../local/sandboxes/odoo/server';

/**
 * The receivable item the Odoo sandbox gives a posted document, as Odoo does (`display_type` `payment_term`): what
 * the payment wizard pays when its `line_ids` name it (how the billing ledger registers payments so that a batch's
 * wizards merge), never one of the document's lines, and gone with its document.
 */
describe.each(['18.0', '19.0'] as const)('Odoo %s sandbox: a document’s receivable item', (version) => {
  it('a posted invoice has one open receivable item; the wizard naming it pays the invoice; its lines and total leave it out', async () => {
    const sandbox = await startOdooSandbox({ version });
    try {
      const odoo = new OdooClient({
        connection: { url: sandbox.url, database: `odoo${version.split('.')[0]}`, login: 'admin', ratePerSecond: 100 },
        apiKey: { get: async () => SANDBOX_API_KEY, invalidate: () => undefined },
      });
      const [partnerId] = await odoo.call<number[]>('res.partner', 'create', { vals_list: [{ name: 'Receivable Item Ltd' }] });
      const [draftId] = await odoo.call<number[]>('account.move', 'create', {
        vals_list: [{ move_type: 'out_invoice', partner_id: partnerId, invoice_line_ids: [[0, 0, { name: 'Plan', quantity: 2, price_unit: 25, tax_ids: [[6, 0, []]] }]] }],
      });
      const openItems = () =>
        odoo.call<Array<{ id: number }>>('account.move.line', 'search_read', {
          domain: [['move_id', '=', draftId], ['display_type', '=', 'payment_term'], ['reconciled', '=', false]],
          fields: ['id'],
        });
      expect(await openItems()).toEqual([]);
      await odoo.call('account.move', 'action_post', { ids: [draftId] });
      const items = await openItems();
      expect(items).toHaveLength(1);
      const [before] = await odoo.call<Array<{ invoice_line_ids: number[]; amount_total: number }>>('account.move', 'read', { ids: [draftId], fields: ['invoice_line_ids', 'amount_total'] });
      expect(before).toMatchObject({ amount_total: 50 });
      expect(before!.invoice_line_ids).toHaveLength(1);
      expect(before!.invoice_line_ids).not.toContain(items[0]!.id);

      const [wizardId] = await odoo.call<number[]>('account.payment.register', 'create', {
        vals_list: [{ line_ids: [[6, 0, [items[0]!.id]]], amount: 50, payment_date: '2026-12-03', communication: 'ch_item', journal_id: 6 }],
      });
      const action = await odoo.call<{ res_id: number }>('account.payment.register', 'action_create_payments', { ids: [wizardId] });
      const [payment] = await odoo.call<Array<{ amount: number; memo: string; reconciled_invoice_ids: number[] }>>('account.payment', 'read', {
        ids: [action.res_id],
        fields: ['amount', 'memo', 'reconciled_invoice_ids'],
      });
      expect(payment).toMatchObject({ amount: 50, memo: 'ch_item', reconciled_invoice_ids: [draftId] });
      const [after] = await odoo.call<Array<{ payment_state: string }>>('account.move', 'read', { ids: [draftId], fields: ['payment_state'] });
      expect(after!.payment_state).toBe('paid');
      // 19.0 reconciles the payment with the item (nothing left open on it); 18.0 matches the payment without an entry.
      expect(await openItems()).toHaveLength(version === '19.0' ? 0 : 1);
    } finally {
      await sandbox.close();
    }
  });
});
