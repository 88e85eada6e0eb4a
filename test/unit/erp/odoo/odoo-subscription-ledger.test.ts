import { describe, expect, it } from 'vitest';
import type { OdooCaller } from '../../../../functions/erp/odoo/odoo-caller';
import { OdooSubscriptionLedger } from '../../../../functions/erp/odoo/subscription-ledger';
import type { BillingLedger } from '../../../../functions/domain/billing-ledger';

/** An Odoo that answers from a table of `model.method` → result, recording every call. */
function stubOdoo(answers: Record<string, unknown>) {
  const calls: Array<{ operation: string; params: Record<string, unknown> }> = [];
  const odoo: OdooCaller = {
    async call<T>(model: string, method: string, params: Record<string, unknown> = {}) {
      const operation = `${model}.${method}`;
      calls.push({ operation, params });
      if (!(operation in answers)) throw new Error(`unexpected ${operation}`);
      return answers[operation] as T;
    },
  };
  return { odoo, calls };
}
const billing = {} as Pick<BillingLedger, 'currency' | 'precisions' | 'products' | 'partnerByExternalId'>;

describe('Odoo subscription ledger', () => {
  it('follows the cancel wizard when an Odoo 18 answers action_cancel with it despite disable_cancel_warning', async () => {
    // Prepare
    const { odoo, calls } = stubOdoo({
      'sale.order.action_cancel': { type: 'ir.actions.act_window', res_model: 'sale.order.cancel', context: { default_order_id: 7 } },
      'sale.order.cancel.create': [3],
      'sale.order.cancel.action_cancel': true,
    });
    // Act
    await new OdooSubscriptionLedger(odoo, billing).cancelOrder(7);
    // Assess
    expect(calls).toEqual([
      { operation: 'sale.order.action_cancel', params: { ids: [7], context: { disable_cancel_warning: true } } },
      { operation: 'sale.order.cancel.create', params: { vals_list: [{ order_id: 7 }], context: { disable_cancel_warning: true } } },
      { operation: 'sale.order.cancel.action_cancel', params: { ids: [3], context: { disable_cancel_warning: true } } },
    ]);
  });

  it('cancels in one call when Odoo cancels at once (19, or 18 honouring the context)', async () => {
    const { odoo, calls } = stubOdoo({ 'sale.order.action_cancel': true });
    await new OdooSubscriptionLedger(odoo, billing).cancelOrder(7);
    expect(calls).toHaveLength(1);
  });

  it.each([
    [{ tax_id: { type: 'many2many' } }, 'tax_id'],
    [{ tax_ids: { type: 'many2many' } }, 'tax_ids'],
  ])('writes every line with explicit empty taxes in the field the database has (%j)', async (fields, taxField) => {
    // Prepare
    const { odoo, calls } = stubOdoo({
      'sale.order.line.fields_get': fields,
      'product.pricelist.search_read': [{ id: 7, name: 'USD' }],
      'sale.order.write': true,
      'sale.order.create': [9],
    });
    const ledger = new OdooSubscriptionLedger(odoo, billing);
    const line = { productId: 2, name: 'Pro', quantity: 3, priceUnit: 99 };
    // Act
    await ledger.createOrder({ reference: 'sub_1', partnerId: 5, companyId: 1, currency: { id: 1, code: 'USD', decimalPlaces: 2 }, lines: [line] });
    await ledger.amendOrder(9, [{ op: 'update', lineId: 4, line }, { op: 'zero', lineId: 5 }, { op: 'remove', lineId: 6 }, { op: 'create', line }]);
    // Assess
    const values = { name: 'Pro', product_uom_qty: 3, price_unit: 99, discount: 0, [taxField]: [[6, 0, []]] };
    // The order's currency is its pricelist's (Odoo recomputes a `currency_id` written without one): the company's
    // pricelist in that currency, looked up once.
    expect(calls.map((call) => call.operation)).toEqual(['sale.order.line.fields_get', 'product.pricelist.search_read', 'sale.order.create', 'sale.order.write']);
    expect(calls[1]?.params).toMatchObject({ domain: [['currency_id', '=', 1], ['company_id', 'in', [false, 1]]] });
    expect(calls[2]?.params).toEqual({
      vals_list: [{ partner_id: 5, client_order_ref: 'sub_1', company_id: 1, pricelist_id: 7, order_line: [[0, 0, { product_id: 2, ...values }]] }],
    });
    expect(calls[3]?.params).toEqual({
      ids: [9],
      vals: { order_line: [[1, 4, values], [1, 5, { product_uom_qty: 0 }], [2, 6, 0], [0, 0, { product_id: 2, ...values }]] },
    });
  });

  it('reads nothing and writes nothing for an amendment without changes', async () => {
    const { odoo, calls } = stubOdoo({});
    await new OdooSubscriptionLedger(odoo, billing).amendOrder(9, []);
    expect(calls).toEqual([]);
  });
});
