import type { DocumentLine, LineTax } from '../../events/billing-parts';
import { PermanentSyncError } from '../platform/errors';

/**
 * Provider document lines → Odoo invoice line values, with Odoo's own arithmetic simulated so that the
 * Odoo `amount_total` is known before any call (DESIGN.md, "Money is exact").
 *
 * What Odoo does with a line (community 17/18/19, `round_per_line`, the default):
 * - `price_unit` is a float stored at the `Product Price` precision (2 decimals unless configured),
 *   `quantity` at `Product Unit of Measure` (2 decimals);
 * - subtotal = round(price_unit × quantity × (1 − discount%), currency decimals);
 * - an excluded percent tax = round(base × rate / 100) per line;
 * - included percent taxes (one batch) = round(gross × rate / (100 + Σ rates)) each, the untaxed amount
 *   is gross − Σ taxes, so the line total stays the gross;
 * - rounding is half away from zero (`float_round`, HALF-UP) at the currency's `decimal_places`.
 *
 * Rules that keep the Odoo total equal to the provider's:
 * 1. The discount is netted into the price (Odoo discounts are percentages: `discount%` cannot express
 *    most amounts exactly).
 * 2. price_unit × quantity must equal the net amount exactly. When net / quantity is not exact at the
 *    price precision (3 seats for 100.00, any KWD amount in fils with 2-decimal prices, JPY split over a
 *    quantity), the line uses quantity 1 — or 0.1 / 0.01 when even quantity 1 cannot carry the amount
 *    (a fils amount with 2-decimal prices) — and the real quantity goes into the description.
 * 3. After mapping, the simulated Odoo tax and total are compared with the provider's. A difference of
 *    at most one minor unit per line is a rounding difference (the provider rounds some taxes at the
 *    document level): one visible untaxed line "Rounding difference (<provider>)" makes the totals equal.
 *    Anything larger means the taxes are misconfigured: a permanent error, nothing is written.
 */

/** An Odoo sale tax as the simulation needs it (only `percent` taxes are supported). */
export interface OdooTaxRate {
  id: number;
  /** Odoo `amount` as an exact decimal string (`"19"`, `"8.875"`). */
  percent: string;
  priceInclude: boolean;
}

/** Odoo precisions that shape a line: the currency's and the two decimal precisions. */
export interface OdooLinePrecision {
  /** `res.currency.decimal_places` of the document currency. */
  currencyDecimals: number;
  /** `decimal.precision` "Product Price" (Odoo default 2). */
  priceDigits: number;
  /** `decimal.precision` "Product Unit of Measure" (Odoo default 2). */
  quantityDigits: number;
}

export const DEFAULT_PRICE_DIGITS = 2;
export const DEFAULT_QUANTITY_DIGITS = 2;
/** The label of the line that absorbs a provider's document-level rounding, naming the provider (its display name). */
export const roundingLineLabel = (providerName: string): string => `Rounding difference (${providerName})`;

/** The money of a provider document (invoice or credit note), in the provider's minor units. */
export interface ProviderDocument {
  currency: string;
  lines: readonly DocumentLine[];
  total: number;
  totalTax: number;
}

/** One Odoo line, ready to become `invoice_line_ids` values, with the amounts Odoo will compute. */
export interface PlannedLine {
  /** The provider line it comes from; null for the rounding line. */
  sourceLineId: string | null;
  priceId: string | null;
  name: string;
  quantity: number;
  /** Odoo float, exact at the price precision. */
  priceUnit: number;
  taxIds: number[];
  /** Odoo minor units of the currency. */
  untaxed: number;
  tax: number;
}

export interface DocumentPlan {
  lines: PlannedLine[];
  /** Odoo minor units (`decimal_places` of the Odoo currency): what Odoo will read back. */
  untaxed: number;
  tax: number;
  total: number;
  /** Amount of the rounding line (0 when none), Odoo minor units. */
  roundingDifference: number;
  /** Provider tax − simulated Odoo tax (the rounding line, untaxed, does not change the tax). */
  taxDifference: number;
  currencyDecimals: number;
}

export class UnmappedTaxError extends PermanentSyncError {
  override name = 'UnmappedTaxError';
}
export class UnsupportedTaxError extends PermanentSyncError {
  override name = 'UnsupportedTaxError';
}
export class InexactAmountError extends PermanentSyncError {
  override name = 'InexactAmountError';
}
export class DocumentTotalMismatchError extends PermanentSyncError {
  override name = 'DocumentTotalMismatchError';
}

/**
 * Provider minor units → Odoo minor units of the same currency: exact or refused (a provider may write ISK
 * with two decimals that must be `00`, Odoo's ISK has none). The provider's exponent is one of its facts.
 */
export function toOdooMinor(amount: number, providerExponent: number, odooDecimals: number): number {
  const shift = odooDecimals - providerExponent;
  if (shift >= 0) return amount * 10 ** shift;
  const divisor = 10 ** -shift;
  if (amount % divisor !== 0) {
    throw new InexactAmountError(`amount ${amount} (${providerExponent} decimals) cannot be written exactly with ${odooDecimals} decimals in Odoo`);
  }
  return amount / divisor;
}

// ---------------------------------------------------------------------------------------------------
// Exact decimal arithmetic (bigint): no float ever decides a cent.

interface Decimal {
  /** value = units / 10^scale */
  units: bigint;
  scale: number;
}

const TEN = 10n;
const pow10 = (exponent: number): bigint => TEN ** BigInt(exponent);

/** `"19.0"` → 190 / 10^1. Accepts what `Number#toString` prints, exponent forms included. */
export function parseDecimal(text: string): Decimal {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (!match) throw new TypeError(`not a decimal: ${text}`);
  const [, sign = '', intPart = '0', fracPart = '', exponentText = '0'] = match;
  let units = BigInt(intPart + fracPart);
  let scale = fracPart.length - Number(exponentText);
  if (scale < 0) {
    units *= pow10(-scale);
    scale = 0;
  }
  return { units: sign === '-' ? -units : units, scale };
}

/** n / d rounded half away from zero (Odoo's HALF-UP), d > 0. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const magnitude = numerator < 0n ? -numerator : numerator;
  const rounded = (2n * magnitude + denominator) / (2n * denominator);
  return numerator < 0n ? -rounded : rounded;
}

/** `1234` units at scale 2 → `"12.34"`. */
function decimalText(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** `12345` minor units with exponent 2 → `"123.45"`: for notes and messages, never for arithmetic. */
export function formatMinorUnits(amount: number, exponent: number): string {
  return decimalText(BigInt(amount), exponent);
}

function quantityDecimal(quantity: number): Decimal | undefined {
  if (!Number.isFinite(quantity) || quantity < 0) return undefined;
  return parseDecimal(String(quantity));
}

// ---------------------------------------------------------------------------------------------------
// Lines

/**
 * The (quantity, price_unit) that carry `net` minor units exactly: the real quantity when net / quantity
 * is exact at the price precision, else 1, else 0.1, 0.01 (as far as the quantity precision allows).
 */
export function exactQuantityAndPrice(
  net: number,
  quantity: number | undefined,
  precision: OdooLinePrecision,
): { quantity: number; priceUnit: number; quantityKept: boolean } {
  const candidates: Decimal[] = [];
  const real = quantity === undefined ? undefined : quantityDecimal(quantity);
  if (real !== undefined && real.scale <= precision.quantityDigits) candidates.push(real);
  for (let scale = 0; scale <= precision.quantityDigits; scale++) candidates.push({ units: 1n, scale });
  const netUnits = BigInt(net);
  for (const candidate of candidates) {
    if (candidate.units === 0n) {
      if (net === 0) return { quantity: 0, priceUnit: 0, quantityKept: candidate === real };
      continue;
    }
    // price (major units) = net / 10^dp / (units / 10^scale); exact at priceDigits when this divides.
    const numerator = netUnits * pow10(candidate.scale + precision.priceDigits);
    const denominator = candidate.units * pow10(precision.currencyDecimals);
    if (numerator % denominator !== 0n) continue;
    const priceUnit = Number(decimalText(numerator / denominator, precision.priceDigits));
    return { quantity: Number(decimalText(candidate.units, candidate.scale)), priceUnit, quantityKept: candidate === real };
  }
  throw new InexactAmountError(
    `${net} minor units cannot be written exactly as price × quantity with ${precision.priceDigits}-decimal prices and ${precision.quantityDigits}-decimal quantities`,
  );
}

/** Taxes of one line with Odoo's per-line rounding. `net` is the price × quantity the line carries. */
export function simulateLineTaxes(net: number, taxes: readonly OdooTaxRate[]): { untaxed: number; tax: number; perTax: number[] } {
  if (taxes.length === 0) return { untaxed: net, tax: 0, perTax: [] };
  const included = taxes.filter((tax) => tax.priceInclude);
  if (included.length > 0 && included.length !== taxes.length) {
    throw new UnsupportedTaxError(`a line mixes taxes included in and excluded from the price (Odoo taxes ${taxes.map((tax) => tax.id).join(', ')})`);
  }
  const rates = taxes.map((tax) => parseDecimal(tax.percent));
  const scale = Math.max(...rates.map((rate) => rate.scale));
  // Every rate at one scale: rate = units / 10^scale percent.
  const units = rates.map((rate) => rate.units * pow10(scale - rate.scale));
  const gross = BigInt(net);
  if (included.length === 0) {
    const perTax = units.map((rate) => divideRounded(gross * rate, 100n * pow10(scale)));
    const tax = perTax.reduce((sum, amount) => sum + amount, 0n);
    return { untaxed: net, tax: Number(tax), perTax: perTax.map(Number) };
  }
  const totalRate = units.reduce((sum, rate) => sum + rate, 0n);
  const perTax = units.map((rate) => divideRounded(gross * rate, 100n * pow10(scale) + totalRate));
  const tax = perTax.reduce((sum, amount) => sum + amount, 0n);
  return { untaxed: Number(gross - tax), tax: Number(tax), perTax: perTax.map(Number) };
}

/** `"Pro plan (2026-11-01 – 2026-12-01)"`, plus the quantity when the Odoo line cannot carry it. */
export function lineLabel(line: DocumentLine, keptQuantity: boolean): string {
  const base = line.description?.trim() || (line.priceId ? `Price ${line.priceId}` : `Line ${line.id}`);
  const parts = [base];
  const day = (instant: string): string => new Date(instant).toISOString().slice(0, 10);
  if (line.periodStart && line.periodEnd) {
    const start = day(line.periodStart);
    const end = day(line.periodEnd);
    parts.push(start === end ? `(${start})` : `(${start} – ${end})`);
  }
  if (!keptQuantity) parts.push(`(quantity ${line.quantity})`);
  return parts.join(' ');
}

function taxLabel(tax: LineTax): string {
  return [tax.label, tax.taxRateId, tax.percentage === null ? null : `${tax.percentage}%`, tax.inclusive ? 'inclusive' : 'exclusive']
    .filter((part) => part !== null && part !== '')
    .join(' ');
}

/**
 * The Odoo lines of a provider document and the totals Odoo will compute. `odooTaxFor` maps a provider
 * tax to the Odoo tax (by configuration) or throws; `providerExponent` is the provider's minor-unit
 * exponent for the currency, `providerName` how the rounding line names the provider.
 */
export function planDocumentLines(
  document: ProviderDocument,
  options: {
    precision: OdooLinePrecision;
    providerExponent: number;
    providerName: string;
    odooTaxFor: (tax: LineTax, line: DocumentLine) => OdooTaxRate | undefined;
  },
): DocumentPlan {
  const { precision, providerExponent } = options;
  const odoo = (amount: number): number => toOdooMinor(amount, providerExponent, precision.currencyDecimals);
  const lines: PlannedLine[] = document.lines.map((line) => {
    const net = odoo(line.amount - line.discountAmount);
    const taxes = line.taxes.map((tax) => {
      const mapped = options.odooTaxFor(tax, line);
      if (!mapped) throw new UnmappedTaxError(`no Odoo tax is configured for provider tax ${taxLabel(tax)} on line ${line.id} (billing config: taxes)`);
      return mapped;
    });
    const distinct = [...new Map(taxes.map((tax) => [tax.id, tax])).values()];
    const { quantity, priceUnit, quantityKept } = exactQuantityAndPrice(net, line.quantity, precision);
    const { untaxed, tax } = simulateLineTaxes(net, distinct);
    return {
      sourceLineId: line.id,
      priceId: line.priceId,
      name: lineLabel(line, quantityKept),
      quantity,
      priceUnit,
      taxIds: distinct.map((candidate) => candidate.id),
      untaxed,
      tax,
    };
  });
  const untaxed = lines.reduce((sum, line) => sum + line.untaxed, 0);
  const tax = lines.reduce((sum, line) => sum + line.tax, 0);
  const expectedTotal = odoo(document.total);
  const expectedTax = odoo(document.totalTax);
  const totalDifference = expectedTotal - (untaxed + tax);
  const taxDifference = expectedTax - tax;
  const tolerance = document.lines.length;
  if (Math.abs(totalDifference) > tolerance || Math.abs(taxDifference) > tolerance) {
    throw new DocumentTotalMismatchError(
      `the Odoo taxes would give total ${untaxed + tax} (tax ${tax}) where the provider has ${expectedTotal} (tax ${expectedTax}), ` +
        `in ${precision.currencyDecimals}-decimal minor units of ${document.currency.toUpperCase()}: more than a rounding difference ` +
        `(${tolerance} for ${tolerance} lines); check the tax mapping (billing config: taxes) against the Odoo taxes' rates`,
    );
  }
  if (totalDifference !== 0) {
    const { quantity, priceUnit } = exactQuantityAndPrice(totalDifference, 1, precision);
    lines.push({ sourceLineId: null, priceId: null, name: roundingLineLabel(options.providerName), quantity, priceUnit, taxIds: [], untaxed: totalDifference, tax: 0 });
  }
  return {
    lines,
    untaxed: untaxed + totalDifference,
    tax,
    total: expectedTotal,
    roundingDifference: totalDifference,
    taxDifference,
    currencyDecimals: precision.currencyDecimals,
  };
}
