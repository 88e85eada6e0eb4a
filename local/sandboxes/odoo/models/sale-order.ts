import { UserError } from '../odoo-errors';
import type { OdooEnvironment } from '../orm/environment';
import { field } from '../orm/fields';
import type { ModelDefinition } from '../orm/model';
import type { StoredRecord } from '../store';
import type { OdooVersion } from '../server-version';
import { versionDifferences } from '../version-differences';
import { companyOf, MAIN_COMPANY_ID } from './company';
import { currencyDecimalPlaces } from './currency';
import { fromMinorUnits } from './money';
import { lineDefaultsFromProduct } from './product';
import { computeDocumentAmounts, computeLineAmounts, type TaxableLine } from './tax';

const ORDER_STATES = [['draft', 'Quotation'], ['sent', 'Quotation Sent'], ['sale', 'Sales Order'], ['cancel', 'Cancelled']] as const;

function orderLines(env: OdooEnvironment, orderId: number): StoredRecord[] {
  return env.store.all('sale.order.line').filter((line) => line.order_id === orderId);
}

function asTaxableLine(env: OdooEnvironment, line: StoredRecord): TaxableLine {
  return {
    quantity: Number(line.product_uom_qty ?? 1),
    priceUnit: Number(line.price_unit ?? 0),
    discountPercent: Number(line.discount ?? 0),
    taxIds: (line[env.differences.saleOrderLineTaxField] as number[] | undefined) ?? [],
  };
}

function orderAmount(string: string, pick: 'untaxed' | 'tax' | 'total') {
  return field.monetary(string, {
    compute: (env, order) => {
      const decimalPlaces = currencyDecimalPlaces(env, order.currency_id);
      const amounts = computeDocumentAmounts(env, orderLines(env, order.id).map((line) => asTaxableLine(env, line)), decimalPlaces);
      const minorUnits = { untaxed: amounts.untaxedMinorUnits, tax: amounts.taxMinorUnits, total: amounts.untaxedMinorUnits + amounts.taxMinorUnits };
      return fromMinorUnits(minorUnits[pick], decimalPlaces);
    },
  });
}

/** `invoice_status`: a confirmed order with quantities not yet invoiced is `to invoice`. */
function invoiceStatusOf(env: OdooEnvironment, order: StoredRecord): string {
  if (order.state !== 'sale') return 'no';
  const lines = orderLines(env, order.id);
  return lines.some((line) => Number(line.qty_invoiced ?? 0) < Number(line.product_uom_qty ?? 0)) ? 'to invoice' : 'invoiced';
}

/** `_action_cancel`: the order is cancelled (Odoo also cancels its draft invoices; the sandbox links none). */
function cancelOrders(env: OdooEnvironment, ids: readonly number[]): true {
  for (const id of ids) env.store.update('sale.order', id, { state: 'cancel', write_date: env.now() });
  return true;
}

/**
 * The window action 18.0 answers `action_cancel` with on a confirmed order, as recorded: the ids of the
 * view and mail template are those of the recorded database.
 */
function cancelWizardAction(orderId: number): Record<string, unknown> {
  return {
    name: 'Cancel Sales Order',
    view_mode: 'form',
    res_model: 'sale.order.cancel',
    view_id: 922,
    type: 'ir.actions.act_window',
    context: {
      default_template_id: 13,
      default_order_id: orderId,
      mark_so_as_canceled: true,
      default_email_layout_xmlid: 'mail.mail_notification_layout_with_responsible_signature',
      model_description: 'Sales Order',
    },
    target: 'new',
  };
}

/** `product.pricelist`: what an order's currency comes from (no rules in the sandbox: lines carry their prices). */
export const pricelistModel: ModelDefinition = {
  name: 'product.pricelist',
  description: 'Pricelist',
  order: 'sequence asc, id asc',
  fields: {
    name: field.char('Pricelist Name', { required: true }),
    sequence: field.integer('Sequence', { default: 16 }),
    active: field.boolean('Active', { default: true }),
    currency_id: field.many2one('Currency', 'res.currency', { required: true, default: (env: OdooEnvironment) => companyOf(env).currency_id }),
    company_id: field.many2one('Company', 'res.company'),
  },
};

export const saleOrderModel: ModelDefinition = {
  name: 'sale.order',
  description: 'Sales Order',
  order: 'date_order desc, id desc',
  mailThread: true,
  fields: {
    name: field.char('Order Reference'),
    partner_id: field.many2one('Customer', 'res.partner', { required: true }),
    client_order_ref: field.char('Customer Reference'),
    origin: field.char('Source Document'),
    state: field.selection('Status', ORDER_STATES, { default: 'draft' }),
    date_order: field.datetime('Order Date', { default: (env: OdooEnvironment) => env.now() }),
    validity_date: field.date('Expiration'),
    pricelist_id: field.many2one('Pricelist', 'product.pricelist'),
    // Odoo computes (and stores) it from the pricelist, else the company's: a `currency_id` written with the order
    // is recomputed away (recorded: test/contract/odoo/odoo-contract/*/sale.order.create.currency_without_pricelist).
    currency_id: field.many2one('Currency', 'res.currency', {
      compute: (env, order) => (typeof order.pricelist_id === 'number' ? env.model('product.pricelist').get(env, order.pricelist_id).currency_id : companyOf(env).currency_id),
    }),
    company_id: field.many2one('Company', 'res.company', { default: MAIN_COMPANY_ID }),
    note: field.html('Terms and conditions'),
    order_line: field.one2many('Order Lines', 'sale.order.line', 'order_id'),
    amount_untaxed: orderAmount('Untaxed Amount', 'untaxed'),
    amount_tax: orderAmount('Taxes', 'tax'),
    amount_total: orderAmount('Total', 'total'),
    invoice_status: field.selection(
      'Invoice Status',
      [['upselling', 'Upselling Opportunity'], ['invoiced', 'Fully Invoiced'], ['to invoice', 'To Invoice'], ['no', 'Nothing to Invoice']],
      { compute: invoiceStatusOf },
    ),
  },
  prepareCreate: (env, values) => ({
    // Odoo numbers quotations at creation (`S00001`), from the `sale.order` sequence.
    name: `S${String(env.store.nextSequenceNumber('sale.order')).padStart(5, '0')}`,
    ...values,
  }),
  methods: {
    action_confirm: {
      definedOn: 'SaleOrder',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => {
        const orders = ids.map((id) => model.get(env, id));
        // 18.0 / 19.0 `_confirmation_error_message`, order by order: the state, then lines without a product
        // (recorded: test/contract/odoo/real-odoo-cases/recorded/*/sale.order.deal_confirm_and_cancel).
        for (const order of orders) {
          if (order.state !== 'draft' && order.state !== 'sent') throw new UserError('Some orders are not in a state requiring confirmation.');
          if (orderLines(env, order.id).some((line) => typeof line.product_id !== 'number')) {
            throw new UserError('Some order lines are missing a product, you need to correct them before going further.');
          }
        }
        for (const order of orders) env.store.update('sale.order', order.id, { state: 'sale', date_order: env.now(), write_date: env.now() });
        return true;
      },
    },
    action_cancel: {
      definedOn: 'SaleOrder',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => {
        const orders = ids.map((id) => model.get(env, id));
        // 18.0 asks for confirmation (the cancel wizard) unless the caller passes `disable_cancel_warning`.
        const [confirmed] = orders.filter((order) => order.state !== 'draft');
        if (env.differences.saleOrderCancelOpensWizard && confirmed !== undefined && env.context.disable_cancel_warning !== true) {
          return cancelWizardAction(confirmed.id);
        }
        return cancelOrders(env, ids);
      },
    },
    action_draft: {
      definedOn: 'SaleOrder',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => {
        for (const order of ids.map((id) => model.get(env, id))) {
          if (order.state === 'cancel' || order.state === 'sent') env.store.update('sale.order', order.id, { state: 'draft', write_date: env.now() });
        }
        return true;
      },
    },
  },
};

/** `sale.order.line`; its taxes field is `tax_id` in 18.0 and `tax_ids` from 19.0, so the definition depends on the version. */
export function saleOrderLineModel(version: OdooVersion): ModelDefinition {
  const taxField = versionDifferences(version).saleOrderLineTaxField;
  const lineAmount = (string: string, pick: 'untaxed' | 'total') =>
    field.monetary(string, {
      compute: (env, line) => {
        const order = env.model('sale.order').get(env, Number(line.order_id));
        const decimalPlaces = currencyDecimalPlaces(env, order.currency_id);
        const amounts = computeLineAmounts(env, asTaxableLine(env, line), decimalPlaces);
        return fromMinorUnits(pick === 'untaxed' ? amounts.untaxedMinorUnits : amounts.untaxedMinorUnits + amounts.taxMinorUnits, decimalPlaces);
      },
    });
  return {
    name: 'sale.order.line',
    description: 'Sales Order Line',
    order: 'order_id, id',
    fields: {
      order_id: field.many2one('Order Reference', 'sale.order', { required: true }),
      product_id: field.many2one('Product', 'product.product'),
      name: field.text('Description'),
      product_uom_qty: field.float('Quantity', { default: 1 }),
      price_unit: field.float('Unit Price'),
      discount: field.float('Discount (%)'),
      [taxField]: field.many2many('Taxes', 'account.tax'),
      qty_invoiced: field.float('Invoiced Quantity', { readonly: true }),
      price_subtotal: lineAmount('Subtotal', 'untaxed'),
      price_total: lineAmount('Total', 'total'),
    },
    prepareCreate: (env, values) => lineDefaultsFromProduct(env, values.product_id, taxField, values),
  };
}

/** 18.0's cancel wizard (`sale.order.cancel`), for a client that follows the action `action_cancel` returned. */
export const saleOrderCancelModel: ModelDefinition = {
  name: 'sale.order.cancel',
  description: 'Sales Order Cancel',
  fields: {
    order_id: field.many2one('Sale Order', 'sale.order', { required: true }),
    template_id: field.integer('Mail Template'),
  },
  methods: {
    action_cancel: {
      definedOn: 'SaleOrderCancel',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => cancelOrders(env, ids.map((id) => Number(model.get(env, id).order_id))),
    },
  },
};
