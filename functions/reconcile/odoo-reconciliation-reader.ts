import type { OdooCaller, OdooDomain, OdooRecord } from '../erp/odoo/odoo-caller';
import { odooAmountToMinor } from '../erp/odoo/odoo-money';
import { searchRead } from '../erp/odoo/record-operations';
import type { OdooDocuments, OdooMove, OdooPayment } from '../domain/reconciliation';
import type { OdooReconciliationReader, Period, ProviderInOdoo } from './reconcile-period';
import { chunks } from '../platform/chunks';

/** References per `in` leaf: keeps each request well under Odoo's and proxies' body limits. */
export const REFERENCE_BATCH = 200;
/** Records per page of a period query (ordered by id, `offset` paging). */
export const PERIOD_PAGE = 1000;

const MOVE_FIELDS = ['move_type', 'ref', 'payment_reference', 'state', 'payment_state', 'amount_total', 'currency_id', 'partner_id'];
const PAYMENT_FIELDS = ['memo', 'payment_type', 'state', 'amount', 'currency_id', 'reconciled_invoice_ids'];
const CUSTOMER_DOCUMENTS: OdooDomain = [['move_type', 'in', ['out_invoice', 'out_refund']]];

/** `ilike` leaves per request: each is two leaves (`ref`, `payment_reference`), ORed. */
const MARKER_BATCH = 50;

/** `'|', a, '|', b, c` — Odoo's prefix OR of leaves. */
function anyOf(leaves: unknown[][]): OdooDomain {
  return [...Array<string>(Math.max(0, leaves.length - 1)).fill('|'), ...leaves];
}


/** A many2one as Odoo reads it: `[id, display name]` or `false`. */
function many2oneId(value: unknown): number | null {
  return Array.isArray(value) && typeof value[0] === 'number' ? value[0] : null;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** An Odoo currency: its ISO code (lower case) and the exponent of the provider's minor units for it. */
export interface ReconciliationCurrency {
  code: string;
  /** `res.currency.decimal_places`. */
  decimalPlaces: number;
  /** The provider's minor-unit exponent (e.g. 0 JPY, 2 USD, 3 KWD; 2 ISK at a provider where Odoo has 0). */
  providerExponent: number;
}
type Currency = ReconciliationCurrency;

/**
 * An Odoo amount in the provider's minor units: exact through `odooAmountToMinor` at Odoo's decimal
 * places, then shifted to the provider's exponent (ISK 1500 in Odoo is 150000 at a provider of 2 decimals). When Odoo has
 * more decimals than the provider, a remainder rounds half away from zero (the flows never write one).
 */
export function odooAmountInProviderMinor(amount: number, currency: Currency): number {
  const odooMinor = odooAmountToMinor(amount, currency.decimalPlaces);
  const shift = currency.providerExponent - currency.decimalPlaces;
  if (shift >= 0) return odooMinor * 10 ** shift;
  const divisor = 10 ** -shift;
  const magnitude = Math.floor((Math.abs(odooMinor) + divisor / 2) / divisor);
  return odooMinor < 0 ? -magnitude : magnitude;
}

/**
 * Reads the Odoo side of a reconciliation with `search_read` in batches:
 * - `account.move` (customer invoices and credit notes) whose `ref` or `payment_reference` is in the
 *   references, `REFERENCE_BATCH` at a time, and those dated (`invoice_date`) in the period whose references
 *   match the provider's patterns (`ProviderInOdoo`: its ids of ours);
 * - `out_refund` moves whose `ref` or `payment_reference` contains one of the markers (`ilike`), `MARKER_BATCH` at a time;
 * - `account.payment` whose `memo` is in the memos, and those dated in the period whose memo matches the provider's patterns;
 * - the customer documents those payments are reconciled with that no search brought (one `search_read`);
 * - then one `res.currency` read (decimal places: amounts become the provider's minor units, see
 *   `odooAmountInProviderMinor`, at the provider's exponents)
 *   and one `res.partner` read (their `ref`, the provider customer id; archived partners included).
 */
export class OdooReconciliationGateway implements OdooReconciliationReader {
  constructor(private readonly odoo: OdooCaller) {}

  async read(request: { period: Period; provider: ProviderInOdoo; moveReferences: readonly string[]; paymentMemos: readonly string[]; moveMarkers?: readonly string[] }): Promise<OdooDocuments> {
    const { from, to } = request.period;
    const { provider } = request;
    const rawMoves: OdooRecord[] = [];
    for (const batch of chunks(request.moveReferences, REFERENCE_BATCH)) {
      rawMoves.push(...(await searchRead(this.odoo, 'account.move', [...CUSTOMER_DOCUMENTS, ...anyOf([['ref', 'in', batch], ['payment_reference', 'in', batch]])], MOVE_FIELDS)));
    }
    // Credit notes that carry a marker inside a longer reference ("Reversal of: INV/1, Refund re_1"): `ilike`.
    for (const batch of chunks(request.moveMarkers ?? [], MARKER_BATCH)) {
      const leaves = batch.flatMap((marker) => [['ref', 'ilike', marker], ['payment_reference', 'ilike', marker]]);
      rawMoves.push(...(await searchRead(this.odoo, 'account.move', [['move_type', '=', 'out_refund'], ...anyOf(leaves)], MOVE_FIELDS)));
    }
    // No pattern: no orphan candidates (an empty OR would read every document of the period).
    if (provider.moveReferencePatterns.length > 0) {
      rawMoves.push(
        ...(await this.readAll('account.move', [
          ...CUSTOMER_DOCUMENTS,
          ['invoice_date', '>=', from],
          ['invoice_date', '<=', to],
          ...anyOf(provider.moveReferencePatterns.flatMap((pattern) => [['ref', '=like', pattern], ['payment_reference', '=like', pattern]])),
        ], MOVE_FIELDS)),
      );
    }
    const rawPayments = await this.searchPayments(request.paymentMemos);
    if (provider.paymentMemoPatterns.length > 0) {
      rawPayments.push(
        ...(await this.readAll('account.payment', [['date', '>=', from], ['date', '<=', to], ...anyOf(provider.paymentMemoPatterns.map((pattern) => ['memo', '=like', pattern]))], PAYMENT_FIELDS)),
      );
    }
    const payments = unique(rawPayments);
    // What the payments are reconciled with and no reference found (a refund's credit note typed by hand): 1 read.
    const seen = new Set(rawMoves.map((move) => move.id));
    const reconciledIds = [...new Set(payments.flatMap((payment) => (Array.isArray(payment.reconciled_invoice_ids) ? (payment.reconciled_invoice_ids as number[]) : [])))].filter((id) => !seen.has(id));
    if (reconciledIds.length > 0) rawMoves.push(...(await searchRead(this.odoo, 'account.move', [...CUSTOMER_DOCUMENTS, ['id', 'in', reconciledIds]], MOVE_FIELDS)));
    const moves = unique(rawMoves);
    const currencies = await this.currencies([...moves, ...payments], provider);
    const partners = await this.partnerRefs(moves);
    return {
      moves: moves.map((record) => toMove(record, currencies, partners)),
      payments: payments.map((record) => toPayment(record, currencies)),
    };
  }

  async readPayments(memos: readonly string[], provider: ProviderInOdoo): Promise<OdooPayment[]> {
    const payments = unique(await this.searchPayments(memos));
    const currencies = await this.currencies(payments, provider);
    return payments.map((record) => toPayment(record, currencies));
  }

  private async searchPayments(memos: readonly string[]): Promise<OdooRecord[]> {
    const records: OdooRecord[] = [];
    for (const batch of chunks(memos, REFERENCE_BATCH)) records.push(...(await searchRead(this.odoo, 'account.payment', [['memo', 'in', batch]], PAYMENT_FIELDS)));
    return records;
  }

  private async readAll(model: string, domain: OdooDomain, fields: string[]): Promise<OdooRecord[]> {
    const records: OdooRecord[] = [];
    for (let offset = 0; ; offset += PERIOD_PAGE) {
      const page = await searchRead(this.odoo, model, domain, fields, { order: 'id', limit: PERIOD_PAGE, offset });
      records.push(...page);
      if (page.length < PERIOD_PAGE) return records;
    }
  }

  private async currencies(records: readonly OdooRecord[], provider: ProviderInOdoo): Promise<Map<number, Currency>> {
    const ids = [...new Set(records.map((record) => many2oneId(record.currency_id)).filter((id): id is number => id !== null))];
    if (ids.length === 0) return new Map();
    const rows = await searchRead(this.odoo, 'res.currency', [['id', 'in', ids]], ['name', 'decimal_places'], { context: { active_test: false } });
    return new Map(
      rows.map((row) => {
        const code = String(row.name).toLowerCase();
        const decimalPlaces = Number(row.decimal_places);
        return [row.id, { code, decimalPlaces, providerExponent: exponentAt(provider, code, decimalPlaces) }];
      }),
    );
  }

  private async partnerRefs(moves: readonly OdooRecord[]): Promise<Map<number, string | null>> {
    const ids = [...new Set(moves.map((move) => many2oneId(move.partner_id)).filter((id): id is number => id !== null))];
    if (ids.length === 0) return new Map();
    const rows = await searchRead(this.odoo, 'res.partner', [['id', 'in', ids]], ['ref'], { context: { active_test: false } });
    return new Map(rows.map((row) => [row.id, textOrNull(row.ref)]));
  }
}

/**
 * The provider's exponent of a currency, or Odoo's own decimals when the provider has no such currency: the period's
 * candidates may include another provider's documents (a `=like` pattern over-matches), which the rules then leave
 * out as not ours, and a document of ours in a currency the provider lacks differs from it by currency anyway.
 */
function exponentAt(provider: ProviderInOdoo, code: string, decimalPlaces: number): number {
  try {
    return provider.currencyExponent(code);
  } catch {
    return decimalPlaces;
  }
}

function unique(records: readonly OdooRecord[]): OdooRecord[] {
  return [...new Map(records.map((record) => [record.id, record])).values()];
}

function currencyOf(record: OdooRecord, currencies: Map<number, Currency>): Currency {
  const id = many2oneId(record.currency_id);
  const currency = id === null ? undefined : currencies.get(id);
  if (!currency) throw new Error(`Odoo record ${record.id} has no readable currency (${JSON.stringify(record.currency_id)})`);
  return currency;
}

export function toMove(record: OdooRecord, currencies: Map<number, Currency>, partners: Map<number, string | null>): OdooMove {
  const currency = currencyOf(record, currencies);
  const partnerId = many2oneId(record.partner_id);
  return {
    id: record.id,
    moveType: String(record.move_type),
    ref: textOrNull(record.ref),
    paymentReference: textOrNull(record.payment_reference),
    state: String(record.state),
    paymentState: textOrNull(record.payment_state),
    amountTotal: odooAmountInProviderMinor(Number(record.amount_total), currency),
    currency: currency.code,
    partnerRef: partnerId === null ? null : (partners.get(partnerId) ?? null),
  };
}

export function toPayment(record: OdooRecord, currencies: Map<number, Currency>): OdooPayment {
  const currency = currencyOf(record, currencies);
  return {
    id: record.id,
    memo: textOrNull(record.memo),
    paymentType: String(record.payment_type),
    state: String(record.state),
    amount: odooAmountInProviderMinor(Number(record.amount), currency),
    currency: currency.code,
    reconciledMoveIds: Array.isArray(record.reconciled_invoice_ids) ? (record.reconciled_invoice_ids as number[]) : [],
  };
}
