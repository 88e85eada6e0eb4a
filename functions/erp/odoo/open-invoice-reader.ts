import type { OpenInvoice, OpenInvoiceReader } from '../../domain/open-invoices';
import { many2oneName, type OdooCaller } from './odoo-caller';
import { odooAmountToMinor } from './odoo-money';
import { searchRead } from './record-operations';

/**
 * Open invoices in Odoo: one `search_read` of the partner's posted customer invoices, then those with an amount due
 * (read, not searched: `amount_residual` is the figure finance trusts, and filtering here needs no stored field), and
 * one `res.currency` read for the decimals of their currencies.
 */
export class OdooOpenInvoiceReader implements OpenInvoiceReader {
  constructor(private readonly odoo: OdooCaller) {}

  async openInvoicesOf(partnerId: number): Promise<OpenInvoice[]> {
    const moves = await searchRead(this.odoo, 'account.move', [['partner_id', '=', partnerId], ['move_type', '=', 'out_invoice'], ['state', '=', 'posted']], ['name', 'ref', 'amount_residual', 'currency_id'], {
      order: 'id asc',
    });
    const open = moves.filter((move) => Number(move['amount_residual']) > 0);
    if (open.length === 0) return [];
    const codes = [...new Set(open.map((move) => many2oneName(move['currency_id']) ?? ''))];
    const currencies = await searchRead(this.odoo, 'res.currency', [['name', 'in', codes]], ['name', 'decimal_places'], { context: { active_test: false } });
    const decimalsOf = new Map(currencies.map((currency) => [String(currency['name']), Number(currency['decimal_places'])]));
    return open.map((move) => {
      const currency = many2oneName(move['currency_id']) ?? '';
      const decimalPlaces = decimalsOf.get(currency);
      // Never a guessed precision on money: an invoice's currency Odoo cannot read is a fault to see.
      if (decimalPlaces === undefined) throw new Error(`Odoo invoice ${String(move['name'])}: its currency ${currency} cannot be read`);
      return {
        id: Number(move['id']),
        name: String(move['name']),
        ref: typeof move['ref'] === 'string' && move['ref'] !== '' ? move['ref'] : null,
        amountDue: odooAmountToMinor(Number(move['amount_residual']), decimalPlaces),
        currency,
        decimalPlaces,
      };
    });
  }
}
