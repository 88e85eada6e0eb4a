import type { DraftLine } from '../../domain/billing-ledger';

/**
 * `invoice_line_ids` values of a planned line: Odoo's wire format, which only the ledgers speak. `tax_ids` is
 * always explicit (`[[6, 0, []]]` when untaxed): without it Odoo applies the company's default sale tax.
 */
export function odooLineValues({ line, productId, negated }: DraftLine): Record<string, unknown> {
  return {
    ...(productId === undefined ? {} : { product_id: productId }),
    name: line.name,
    quantity: line.quantity,
    // A document whose total is negative is booked as a credit note with the same lines, each of the opposite
    // sign: negating the unit price keeps quantity × price (and a percentage tax on it) exact.
    price_unit: negated === true ? -line.priceUnit : line.priceUnit,
    discount: 0,
    tax_ids: [[6, 0, [...line.taxIds]]],
  };
}
