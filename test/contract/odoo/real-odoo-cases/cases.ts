/**
 * Where a real Odoo 18 / 19 answered differently from the sandbox, as executable cases: each is a few calls
 * through the project's own Odoo client (JSON-RPC on 18, JSON-2 on 19), and what a call's answer tells
 * (`observe`: states, amounts, the error class and message — never ids, which differ between databases).
 * `npm run contract:record` runs them against real servers and writes what they answered into
 * test/contract/odoo/real-odoo-cases/recorded/<version>/<case>.json (with the raw HTTP exchanges, for people);
 * test/contract/odoo/odoo-real-cases.test.ts replays them against the sandbox, which must answer the same.
 */

export type StepResult = { ok: true; value: unknown } | { ok: false; error: { name: string; odooName: string | undefined; message: string } };

export interface CaseStep {
  readonly name: string;
  readonly model: string;
  readonly method: string;
  /** Named parameters as the client takes them; `results` holds the earlier steps' raw results by name. */
  readonly params: (results: ReadonlyMap<string, unknown>) => Record<string, unknown>;
  /** What of the answer is compared between the real Odoo and the sandbox (default: nothing but success). */
  readonly observe?: (value: unknown) => unknown;
  /**
   * Another transaction updates `row(results)` of this table over and over while the call runs (real Odoo:
   * PostgreSQL itself; the sandbox: its injected concurrency failure), so that every one of Odoo's own retries
   * meets a serialization failure.
   */
  readonly concurrentUpdate?: { table: string; row: (results: ReadonlyMap<string, unknown>) => number };
}

export interface RealOdooCase {
  readonly name: string;
  /** What it shows, for a reader of the recording. */
  readonly note: string;
  readonly steps: readonly CaseStep[];
}

/** The id a step's result names: `create`'s first id, a `search_read`'s first record, a wizard action's `res_id`. */
const firstId = (value: unknown): number => {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'object' && first !== null ? Number((first as { id?: unknown }).id) : Number(first);
};
const idOf = (results: ReadonlyMap<string, unknown>, step: string): number => {
  const value = results.get(step);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { res_id?: unknown }).res_id === 'number') {
    return (value as { res_id: number }).res_id;
  }
  return firstId(value);
};
const recordOf = (value: unknown): Record<string, unknown> => ((Array.isArray(value) ? value[0] : value) ?? {}) as Record<string, unknown>;
const pick =
  (...fields: string[]) =>
  (value: unknown): unknown =>
    Object.fromEntries(fields.map((field) => [field, recordOf(value)[field]]));
const currencyName = (value: unknown): unknown => {
  const currency = recordOf(value)['currency_id'];
  return Array.isArray(currency) ? currency[1] : currency;
};

/** The id `load()` gave a step's single row. */
const loadedId = (results: ReadonlyMap<string, unknown>, step: string): number => Number((results.get(step) as { ids: number[] }).ids[0]);

const partner = (name: string): CaseStep => ({ name: 'partner', model: 'res.partner', method: 'create', params: () => ({ vals_list: [{ name, is_company: true }] }) });

/** A posted customer invoice of 129.00 USD in the sales journal (id 1 on both versions), no tax. */
const postedInvoice = (ref: string): CaseStep[] => [
  {
    name: 'invoice',
    model: 'account.move',
    method: 'create',
    params: (results) => ({
      vals_list: [
        {
          move_type: 'out_invoice',
          partner_id: idOf(results, 'partner'),
          ref,
          journal_id: 1,
          invoice_date: '2026-11-02',
          invoice_line_ids: [[0, 0, { name: 'Pro plan', quantity: 1, price_unit: 129, tax_ids: [[6, 0, []]] }]],
        },
      ],
    }),
  },
  { name: 'invoice.post', model: 'account.move', method: 'action_post', params: (results) => ({ ids: [idOf(results, 'invoice')] }) },
];

/** A draft credit note of 10.00 for the invoice; `reversed` links it to the invoice at creation. */
const creditNote = (reversed: boolean): CaseStep => ({
  name: 'credit_note',
  model: 'account.move',
  method: 'create',
  params: (results) => ({
    vals_list: [
      {
        move_type: 'out_refund',
        partner_id: idOf(results, 'partner'),
        ref: 'Refund re_case',
        journal_id: 1,
        invoice_date: '2026-11-03',
        ...(reversed ? { reversed_entry_id: idOf(results, 'invoice') } : {}),
        invoice_line_ids: [[0, 0, { name: 'Refund re_case', quantity: 1, price_unit: 10, tax_ids: [[6, 0, []]] }]],
      },
    ],
  }),
});

const readMove = (name: string, of: 'invoice' | 'credit_note'): CaseStep => ({
  name,
  model: 'account.move',
  method: 'read',
  params: (results) => ({ ids: [idOf(results, of)], fields: ['state', 'amount_total', 'amount_residual', 'payment_state'] }),
  observe: pick('state', 'amount_total', 'amount_residual', 'payment_state'),
});

export const REAL_ODOO_CASES: readonly RealOdooCase[] = [
  {
    name: 'credit_note.offset_against_open_invoice',
    note:
      'a credit note posted with reversed_entry_id is reconciled by Odoo with what its invoice still owes: before the invoice is paid, ' +
      'the invoice reads partial and the credit note paid — a refund booked so has nothing left for its outbound payment',
    steps: [
      partner('Offset Case Ltd'),
      ...postedInvoice('in_case_offset'),
      creditNote(true),
      { name: 'credit_note.post', model: 'account.move', method: 'action_post', params: (results) => ({ ids: [idOf(results, 'credit_note')] }) },
      readMove('invoice.read', 'invoice'),
      readMove('credit_note.read', 'credit_note'),
      {
        name: 'refund_payment.wizard',
        model: 'account.payment.register',
        method: 'create',
        params: (results) => ({
          vals_list: [{ amount: 10, payment_date: '2026-11-03', communication: 're_case', journal_id: 6 }],
          context: { active_model: 'account.move', active_ids: [idOf(results, 'credit_note')] },
        }),
      },
    ],
  },
  {
    name: 'credit_note.linked_after_posting',
    note:
      'posted without reversed_entry_id and linked after, a credit note stays open for its outbound payment: the invoice is untouched ' +
      'until its own payment, and the refund payment settles the credit note',
    steps: [
      partner('Linked Case Ltd'),
      ...postedInvoice('in_case_linked'),
      creditNote(false),
      { name: 'credit_note.post', model: 'account.move', method: 'action_post', params: (results) => ({ ids: [idOf(results, 'credit_note')] }) },
      { name: 'credit_note.link', model: 'account.move', method: 'write', params: (results) => ({ ids: [idOf(results, 'credit_note')], vals: { reversed_entry_id: idOf(results, 'invoice') } }) },
      readMove('invoice.read', 'invoice'),
      readMove('credit_note.read', 'credit_note'),
      {
        name: 'refund_payment.wizard',
        model: 'account.payment.register',
        method: 'create',
        params: (results) => ({
          vals_list: [{ amount: 10, payment_date: '2026-11-03', communication: 're_case', journal_id: 6 }],
          context: { active_model: 'account.move', active_ids: [idOf(results, 'credit_note')] },
        }),
      },
      {
        name: 'refund_payment.create',
        model: 'account.payment.register',
        method: 'action_create_payments',
        params: (results) => ({ ids: [idOf(results, 'refund_payment.wizard')], context: { active_model: 'account.move', active_ids: [idOf(results, 'credit_note')] } }),
      },
      readMove('credit_note.read_paid', 'credit_note'),
      {
        name: 'invoice_payment.wizard',
        model: 'account.payment.register',
        method: 'create',
        params: (results) => ({
          vals_list: [{ amount: 129, payment_date: '2026-11-04', communication: 'inpay_case', journal_id: 6 }],
          context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] },
        }),
      },
      {
        name: 'invoice_payment.create',
        model: 'account.payment.register',
        method: 'action_create_payments',
        params: (results) => ({ ids: [idOf(results, 'invoice_payment.wizard')], context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] } }),
      },
      readMove('invoice.read_paid', 'invoice'),
    ],
  },
  {
    name: 'credit_note.offset_after_invoice_paid',
    note:
      'a credit note posted with reversed_entry_id after the invoice was paid through the wizard: reconciled with what the invoice ' +
      'still leaves open on its receivable (on 18 a wizard payment leaves it open; on 19 it reconciles it)',
    steps: [
      partner('Paid Offset Case Ltd'),
      ...postedInvoice('in_case_paid_offset'),
      {
        name: 'invoice_payment.wizard',
        model: 'account.payment.register',
        method: 'create',
        params: (results) => ({
          vals_list: [{ amount: 129, payment_date: '2026-11-02', communication: 'inpay_case_paid', journal_id: 6 }],
          context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] },
        }),
      },
      {
        name: 'invoice_payment.create',
        model: 'account.payment.register',
        method: 'action_create_payments',
        params: (results) => ({ ids: [idOf(results, 'invoice_payment.wizard')], context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] } }),
      },
      creditNote(true),
      { name: 'credit_note.post', model: 'account.move', method: 'action_post', params: (results) => ({ ids: [idOf(results, 'credit_note')] }) },
      readMove('invoice.read', 'invoice'),
      readMove('credit_note.read', 'credit_note'),
    ],
  },
  {
    name: 'credit_note.offset_then_invoice_paid_whole',
    note:
      'a credit note posted with reversed_entry_id against the open invoice (offset), then the invoice paid through the wizard for its ' +
      'whole total (a refund booked before its payment, the payment keeping the excess open): what the invoice reads once paid — ' +
      'reconciliation compares payment_state',
    steps: [
      partner('Offset Then Paid Case Ltd'),
      ...postedInvoice('in_case_offset_paid'),
      creditNote(true),
      { name: 'credit_note.post', model: 'account.move', method: 'action_post', params: (results) => ({ ids: [idOf(results, 'credit_note')] }) },
      {
        name: 'invoice_payment.wizard',
        model: 'account.payment.register',
        method: 'create',
        params: (results) => ({
          vals_list: [{ amount: 129, payment_date: '2026-11-04', communication: 'inpay_case_offset_paid', journal_id: 6 }],
          context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] },
        }),
      },
      {
        name: 'invoice_payment.create',
        model: 'account.payment.register',
        method: 'action_create_payments',
        params: (results) => ({ ids: [idOf(results, 'invoice_payment.wizard')], context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] } }),
      },
      readMove('invoice.read', 'invoice'),
      readMove('credit_note.read', 'credit_note'),
    ],
  },
  {
    name: 'credit_note.full_reversal_of_unpaid_invoice',
    note: "the reversal wizard's credit note of a whole unpaid invoice, posted: both settled, the invoice reads reversed and the credit note paid",
    steps: [
      partner('Full Reversal Case Ltd'),
      ...postedInvoice('in_case_full_reversal'),
      {
        name: 'reversal.create',
        model: 'account.move.reversal',
        method: 'create',
        params: (results) => ({
          vals_list: [{ reason: 'case', date: '2026-11-03', journal_id: 1 }],
          context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] },
        }),
      },
      {
        name: 'credit_note',
        model: 'account.move.reversal',
        method: 'refund_moves',
        params: (results) => ({ ids: [idOf(results, 'reversal.create')], context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] } }),
      },
      { name: 'credit_note.post', model: 'account.move', method: 'action_post', params: (results) => ({ ids: [idOf(results, 'credit_note')] }) },
      readMove('invoice.read', 'invoice'),
      readMove('credit_note.read', 'credit_note'),
    ],
  },
  {
    name: 'account.payment.cancel_invoice_payment',
    note: "an invoice's wizard payment set back to draft then cancelled (how a failed refund's payment is undone): it no longer pays the invoice",
    steps: [
      partner('Cancelled Payment Case Ltd'),
      ...postedInvoice('in_case_cancelled_payment'),
      {
        name: 'invoice_payment.wizard',
        model: 'account.payment.register',
        method: 'create',
        params: (results) => ({
          vals_list: [{ amount: 129, payment_date: '2026-11-02', communication: 'inpay_case_cancelled', journal_id: 6 }],
          context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] },
        }),
      },
      {
        name: 'payment',
        model: 'account.payment.register',
        method: 'action_create_payments',
        params: (results) => ({ ids: [idOf(results, 'invoice_payment.wizard')], context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] } }),
      },
      readMove('invoice.read_paid', 'invoice'),
      { name: 'payment.draft', model: 'account.payment', method: 'action_draft', params: (results) => ({ ids: [idOf(results, 'payment')] }) },
      { name: 'payment.cancel', model: 'account.payment', method: 'action_cancel', params: (results) => ({ ids: [idOf(results, 'payment')] }) },
      {
        name: 'payment.read',
        model: 'account.payment',
        method: 'read',
        params: (results) => ({ ids: [idOf(results, 'payment')], fields: ['state', 'amount'] }),
        observe: pick('state', 'amount'),
      },
      readMove('invoice.read', 'invoice'),
    ],
  },
  {
    name: 'account.move.reversal.create.no_journal',
    note: 'the reversal wizard created over RPC without journal_id (only active_ids in the context)',
    steps: [
      partner('Reversal Case Ltd'),
      ...postedInvoice('in_case_reversal'),
      {
        name: 'reversal.create',
        model: 'account.move.reversal',
        method: 'create',
        params: (results) => ({ vals_list: [{ reason: 'case', date: '2026-11-03' }], context: { active_model: 'account.move', active_ids: [idOf(results, 'invoice')] } }),
      },
    ],
  },
  {
    name: 'account.move.action_post.negative_total',
    note: 'a customer invoice whose total is negative cannot be posted: a credit note must be made instead',
    steps: [
      partner('Negative Case Ltd'),
      {
        name: 'invoice',
        model: 'account.move',
        method: 'create',
        params: (results) => ({
          vals_list: [
            {
              move_type: 'out_invoice',
              partner_id: idOf(results, 'partner'),
              ref: 'in_case_negative',
              journal_id: 1,
              invoice_date: '2026-11-15',
              invoice_line_ids: [
                [0, 0, { name: 'Unused time on 3 seats', quantity: 3, price_unit: -24.5, tax_ids: [[6, 0, []]] }],
                [0, 0, { name: 'Remaining time on 1 seat', quantity: 1, price_unit: 24.5, tax_ids: [[6, 0, []]] }],
              ],
            },
          ],
        }),
      },
      { name: 'invoice.post', model: 'account.move', method: 'action_post', params: (results) => ({ ids: [idOf(results, 'invoice')] }) },
    ],
  },
  {
    name: 'sale.order.create.currency_without_pricelist',
    note: "an order's currency is its pricelist's: a currency_id written without one is recomputed to the company's",
    steps: [
      partner('Pricelist Case Ltd'),
      { name: 'eur', model: 'res.currency', method: 'search_read', params: () => ({ domain: [['name', '=', 'EUR']], fields: ['name'], context: { active_test: false } }) },
      {
        name: 'order',
        model: 'sale.order',
        method: 'create',
        params: (results) => ({ vals_list: [{ partner_id: idOf(results, 'partner'), client_order_ref: 'sub_case', currency_id: idOf(results, 'eur') }] }),
      },
      { name: 'order.read', model: 'sale.order', method: 'read', params: (results) => ({ ids: [idOf(results, 'order')], fields: ['currency_id'] }), observe: currencyName },
      {
        name: 'pricelist',
        model: 'product.pricelist',
        method: 'create',
        params: (results) => ({ vals_list: [{ name: 'EUR contracts', currency_id: idOf(results, 'eur') }] }),
      },
      {
        name: 'order_with_pricelist',
        model: 'sale.order',
        method: 'create',
        params: (results) => ({ vals_list: [{ partner_id: idOf(results, 'partner'), client_order_ref: 'sub_case_2', pricelist_id: idOf(results, 'pricelist') }] }),
      },
      {
        name: 'order_with_pricelist.read',
        model: 'sale.order',
        method: 'read',
        params: (results) => ({ ids: [idOf(results, 'order_with_pricelist')], fields: ['currency_id'] }),
        observe: currencyName,
      },
    ],
  },
  {
    name: 'sale.order.load.deal_quotation',
    note: 'a deal quotation as the deal ledger makes it: products by Internal Reference, the order and its external id in one load() (again: the same order), lines with exact fractional quantities and prices, then amended and one removed',
    steps: [
      partner('Deal Quote Case Ltd'),
      {
        name: 'product',
        model: 'product.product',
        method: 'create',
        params: () => ({ vals_list: [{ name: 'Analytics seat', default_code: 'CASE-DEAL-SEAT', list_price: 99, type: 'service', sale_ok: true }] }),
      },
      {
        name: 'product.by_code',
        model: 'product.product',
        method: 'search_read',
        params: () => ({ domain: [['sale_ok', '=', true], ['default_code', 'in', ['CASE-DEAL-SEAT', 'CASE-DEAL-NONE']]], fields: ['default_code'] }),
        observe: (value) => (value as Array<{ default_code: unknown }>).map((product) => product.default_code),
      },
      { name: 'eur', model: 'res.currency', method: 'search_read', params: () => ({ domain: [['name', '=', 'EUR']], fields: ['name'], context: { active_test: false } }) },
      { name: 'pricelist', model: 'product.pricelist', method: 'create', params: (results) => ({ vals_list: [{ name: 'EUR deals', currency_id: idOf(results, 'eur') }] }) },
      {
        name: 'order',
        model: 'sale.order',
        method: 'load',
        params: (results) => ({
          fields: ['id', 'partner_id/.id', 'client_order_ref', 'company_id/.id', 'pricelist_id/.id'],
          data: [['saas_sync.hubspot_deal_case_1', String(idOf(results, 'partner')), 'deal_case_1', '1', String(idOf(results, 'pricelist'))]],
        }),
        observe: (value) => (value as { messages: unknown[] }).messages,
      },
      {
        name: 'order.load_again',
        model: 'sale.order',
        method: 'load',
        params: (results) => ({
          fields: ['id', 'partner_id/.id', 'client_order_ref', 'company_id/.id', 'pricelist_id/.id'],
          data: [['saas_sync.hubspot_deal_case_1', String(idOf(results, 'partner')), 'deal_case_1', '1', String(idOf(results, 'pricelist'))]],
        }),
        observe: (value) => (value as { messages: unknown[] }).messages,
      },
      { name: 'order.count', model: 'sale.order', method: 'search_count', params: () => ({ domain: [['client_order_ref', '=', 'deal_case_1']] }), observe: (value) => value },
      {
        name: 'binding',
        model: 'ir.model.data',
        method: 'search_read',
        params: () => ({ domain: [['module', '=', 'saas_sync'], ['name', '=', 'hubspot_deal_case_1']], fields: ['model'] }),
        observe: pick('model'),
      },
      {
        name: 'order.lines',
        model: 'sale.order',
        method: 'write',
        params: (results) => ({
          ids: [loadedId(results, 'order')],
          vals: {
            order_line: [
              [0, 0, { product_id: idOf(results, 'product'), name: 'Analytics seat (2.5 × 150.00 EUR list price, 337.50 EUR net)', product_uom_qty: 2.5, price_unit: 135, discount: 0 }],
              [0, 0, { product_id: idOf(results, 'product'), name: 'Analytics seat', product_uom_qty: 10, price_unit: 150, discount: 0 }],
            ],
          },
        }),
      },
      {
        name: 'order.read',
        model: 'sale.order',
        method: 'read',
        params: (results) => ({ ids: [loadedId(results, 'order')], fields: ['state', 'client_order_ref', 'currency_id', 'amount_untaxed', 'amount_tax', 'amount_total', 'order_line'] }),
        observe: (value) => ({ ...(pick('state', 'client_order_ref', 'amount_untaxed', 'amount_tax', 'amount_total')(value) as object), currency: currencyName(value) }),
      },
      {
        name: 'lines.read',
        model: 'sale.order.line',
        method: 'read',
        params: (results) => ({ ids: recordOf(results.get('order.read'))['order_line'], fields: ['name', 'product_uom_qty', 'price_unit', 'price_subtotal'] }),
        observe: (value) => (value as Array<Record<string, unknown>>).map(({ name, product_uom_qty, price_unit, price_subtotal }) => ({ name, product_uom_qty, price_unit, price_subtotal })),
      },
      {
        name: 'order.amend',
        model: 'sale.order',
        method: 'write',
        params: (results) => {
          const [first, second] = recordOf(results.get('order.read'))['order_line'] as number[];
          return { ids: [loadedId(results, 'order')], vals: { order_line: [[1, first, { name: 'Analytics seat', product_uom_qty: 3, price_unit: 140, discount: 0 }], [2, second, 0]] } };
        },
      },
      {
        name: 'order.read_amended',
        model: 'sale.order',
        method: 'read',
        params: (results) => ({ ids: [loadedId(results, 'order')], fields: ['amount_untaxed', 'order_line'] }),
        observe: (value) => ({ amount_untaxed: recordOf(value)['amount_untaxed'], lines: (recordOf(value)['order_line'] as unknown[]).length }),
      },
    ],
  },
  {
    name: 'sale.order.deal_confirm_and_cancel',
    note: 'a won deal: action_confirm once (a second is refused), a note in the chatter; a lost deal: its quotation cancelled without the wizard and reopened by action_draft; a confirmed order cancelled without disable_cancel_warning',
    steps: [
      partner('Deal Confirm Case Ltd'),
      {
        name: 'product',
        model: 'product.product',
        method: 'create',
        params: () => ({ vals_list: [{ name: 'Onboarding', default_code: 'CASE-DEAL-ONB', list_price: 1, type: 'service', sale_ok: true }] }),
      },
      {
        name: 'order',
        model: 'sale.order',
        method: 'create',
        params: (results) => ({
          vals_list: [
            {
              partner_id: idOf(results, 'partner'),
              client_order_ref: 'deal_case_won',
              order_line: [[0, 0, { product_id: idOf(results, 'product'), name: 'Onboarding', product_uom_qty: 1, price_unit: 500, discount: 0 }]],
            },
          ],
        }),
      },
      { name: 'order.confirm', model: 'sale.order', method: 'action_confirm', params: (results) => ({ ids: [idOf(results, 'order')] }), observe: (value) => value },
      {
        name: 'order.read',
        model: 'sale.order',
        method: 'read',
        params: (results) => ({ ids: [idOf(results, 'order')], fields: ['state', 'date_order', 'amount_untaxed'] }),
        observe: (value) => ({ state: recordOf(value)['state'], dated: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(String(recordOf(value)['date_order'])), amount_untaxed: recordOf(value)['amount_untaxed'] }),
      },
      { name: 'order.confirm_again', model: 'sale.order', method: 'action_confirm', params: (results) => ({ ids: [idOf(results, 'order')] }) },
      {
        name: 'order.note',
        model: 'sale.order',
        method: 'message_post',
        params: (results) => ({ ids: [idOf(results, 'order')], body: 'Deal changed after confirmation: order left as it is.', message_type: 'comment', subtype_xmlid: 'mail.mt_note' }),
      },
      {
        name: 'quotation',
        model: 'sale.order',
        method: 'create',
        params: (results) => ({ vals_list: [{ partner_id: idOf(results, 'partner'), client_order_ref: 'deal_case_lost' }] }),
      },
      {
        name: 'quotation.cancel',
        model: 'sale.order',
        method: 'action_cancel',
        params: (results) => ({ ids: [idOf(results, 'quotation')], context: { disable_cancel_warning: true } }),
        observe: (value) => value,
      },
      { name: 'quotation.read_cancelled', model: 'sale.order', method: 'read', params: (results) => ({ ids: [idOf(results, 'quotation')], fields: ['state'] }), observe: pick('state') },
      { name: 'quotation.draft', model: 'sale.order', method: 'action_draft', params: (results) => ({ ids: [idOf(results, 'quotation')] }) },
      { name: 'quotation.read_reopened', model: 'sale.order', method: 'read', params: (results) => ({ ids: [idOf(results, 'quotation')], fields: ['state'] }), observe: pick('state') },
      {
        name: 'order.cancel_without_context',
        model: 'sale.order',
        method: 'action_cancel',
        params: (results) => ({ ids: [idOf(results, 'order')] }),
        observe: (value) => (typeof value === 'object' && value !== null ? (value as { res_model?: unknown }).res_model : value),
      },
      { name: 'order.read_after_cancel', model: 'sale.order', method: 'read', params: (results) => ({ ids: [idOf(results, 'order')], fields: ['state'] }), observe: pick('state') },
    ],
  },
  {
    name: 'account.payment.customer_credit',
    note: 'money received beyond what is invoiced: an inbound customer payment posted on the partner, reconciled with nothing',
    steps: [
      partner('Credit Case Ltd'),
      {
        name: 'payment',
        model: 'account.payment',
        method: 'create',
        params: (results) => ({
          vals_list: [{ payment_type: 'inbound', partner_type: 'customer', partner_id: idOf(results, 'partner'), amount: 25, date: '2026-11-05', memo: 'inpay_case_over', journal_id: 6 }],
        }),
      },
      { name: 'payment.post', model: 'account.payment', method: 'action_post', params: (results) => ({ ids: [idOf(results, 'payment')] }) },
      {
        name: 'payment.read',
        model: 'account.payment',
        method: 'read',
        params: (results) => ({ ids: [idOf(results, 'payment')], fields: ['state', 'amount', 'memo', 'payment_type', 'reconciled_invoice_ids'] }),
        observe: pick('state', 'amount', 'memo', 'payment_type', 'reconciled_invoice_ids'),
      },
    ],
  },
  {
    name: 'product.product.load.update_mode_keeps_noupdate_record',
    note: 'load() with context noupdate flags the external id; a later load in mode "update" returns that record unchanged, while a load in the default mode renames it',
    steps: [
      {
        name: 'product',
        model: 'product.product',
        method: 'load',
        params: () => ({ fields: ['id', 'name', 'default_code'], data: [['saas_sync.case_price_team', 'Team plan', 'price_case_team']], context: { noupdate: true } }),
      },
      {
        name: 'product.load_in_update_mode',
        model: 'product.product',
        method: 'load',
        params: () => ({ fields: ['id', 'name', 'default_code'], data: [['saas_sync.case_price_team', 'Price price_case_team', 'price_case_team']], context: { noupdate: true, mode: 'update' } }),
        observe: (value) => (value as { messages: unknown[] }).messages,
      },
      {
        name: 'product.read_after_update_mode',
        model: 'product.product',
        method: 'read',
        params: (results) => ({ ids: (results.get('product') as { ids: number[] }).ids, fields: ['name'] }),
        observe: pick('name'),
      },
      {
        name: 'product.load_in_default_mode',
        model: 'product.product',
        method: 'load',
        params: () => ({ fields: ['id', 'name', 'default_code'], data: [['saas_sync.case_price_team', 'Team plan (renamed)', 'price_case_team']], context: { noupdate: true } }),
      },
      {
        name: 'product.read_after_default_mode',
        model: 'product.product',
        method: 'read',
        params: (results) => ({ ids: (results.get('product') as { ids: number[] }).ids, fields: ['name'] }),
        observe: pick('name'),
      },
    ],
  },
  {
    name: 'res.partner.write.serialization_failure',
    note: 'a write meeting a concurrent update on every one of Odoo’s own retries: PostgreSQL’s serialization failure reaches the caller',
    steps: [
      partner('Concurrency Case Ltd'),
      {
        name: 'partner.write',
        model: 'res.partner',
        method: 'write',
        params: (results) => ({ ids: [idOf(results, 'partner')], vals: { comment: 'written under contention' } }),
        concurrentUpdate: { table: 'res_partner', row: (results) => idOf(results, 'partner') },
      },
    ],
  },
  {
    name: 'res.partner.message_post.note_body',
    note: "a chatter note as Odoo stores it: the plain text posted comes back as the message's HTML body (quotes and ampersands escaped as Odoo escapes them)",
    steps: [
      partner('Note Body Ltd'),
      {
        name: 'partner.note',
        model: 'res.partner',
        method: 'message_post',
        params: (results) => ({ ids: [idOf(results, 'partner')], body: `Support ticket #1001 opened: "Can't log in" & more <b>`, message_type: 'comment', subtype_xmlid: 'mail.mt_note' }),
      },
      {
        name: 'partner.note.read',
        model: 'mail.message',
        method: 'search_read',
        params: (results) => ({ domain: [['model', '=', 'res.partner'], ['res_id', '=', idOf(results, 'partner')], ['message_type', '=', 'comment']], fields: ['body'] }),
        observe: (value) => (value as Array<{ body: unknown }>).map((message) => message.body),
      },
    ],
  },
  {
    name: 'res.partner.load.serialization_failure',
    note: 'load() meeting a concurrent update: it does not raise, it returns the failure among its messages',
    steps: [
      {
        name: 'partner',
        model: 'res.partner',
        method: 'load',
        params: () => ({ fields: ['id', 'name'], data: [['saas_sync.case_concurrency', 'Concurrency Load Ltd']] }),
        observe: (value) => (value as { messages: unknown[] }).messages,
      },
      {
        name: 'partner.load_again',
        model: 'res.partner',
        method: 'load',
        params: () => ({ fields: ['id', 'name'], data: [['saas_sync.case_concurrency', 'Concurrency Load Renamed']] }),
        observe: (value) => ({
          ids: (value as { ids: unknown }).ids === false ? false : 'ids',
          messages: (value as { messages: Array<{ type: string; message: string }> }).messages.map(({ type, message }) => ({ type, message })),
        }),
        concurrentUpdate: { table: 'res_partner', row: (results) => Number((results.get('partner') as { ids: number[] }).ids[0]) },
      },
    ],
  },
];

export { idOf };
