/**
 * Money at the Odoo boundary. Amounts are integers in minor units everywhere else; Odoo wants a
 * float in major units rounded to the currency's `decimal_places` (0 JPY, 2 USD, 3 KWD).
 *
 * Both directions go through decimal strings, never through `* 100` or `/ 100` on floats
 * (`1.005 * 100` is 100.49999999999999). A decimal string of at most 15 significant digits maps to
 * one double and prints back the same (IEEE 754 guarantees 15), so the conversion is exact within
 * ±10^15 minor units (10 trillion dollars): beyond that it refuses rather than drift.
 */

const MAX_EXACT_DIGITS = 15;
const MAX_EXACT_MINOR = 10n ** BigInt(MAX_EXACT_DIGITS) - 1n;

function checkDecimalPlaces(decimalPlaces: number): void {
  if (!Number.isInteger(decimalPlaces) || decimalPlaces < 0 || decimalPlaces > 12) {
    throw new RangeError(`decimal places must be an integer in 0..12, got ${decimalPlaces}`);
  }
}

/** `12345` minor units, 2 decimal places → `123.45`; `-5` with 3 → `-0.005`; `500` JPY with 0 → `500`. */
export function minorToOdooAmount(minor: number | bigint, decimalPlaces: number): number {
  checkDecimalPlaces(decimalPlaces);
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) throw new RangeError(`minor units must be a safe integer, got ${minor}`);
  const value = BigInt(minor);
  const magnitude = value < 0n ? -value : value;
  if (magnitude > MAX_EXACT_MINOR) throw new RangeError(`amount ${value} minor units exceeds ${MAX_EXACT_DIGITS} significant digits`);
  const digits = magnitude.toString().padStart(decimalPlaces + 1, '0');
  const cut = digits.length - decimalPlaces;
  const text = decimalPlaces === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  const amount = Number(text);
  // Number('-0') is -0; JSON would send 0 anyway, keep it plain.
  return value < 0n ? -amount : amount;
}

/** Plain decimal digits of a finite non-negative number: `1e-7` → `0.0000001`, `1.5e+21` → `1500000000000000000000`. */
function plainDecimal(value: number): string {
  const text = value.toString();
  const match = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, intPart = '', fracPart = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  const mantissa = intPart + fracPart;
  const point = intPart.length + exponent;
  if (point <= 0) return `0.${'0'.repeat(-point)}${mantissa}`;
  if (point >= mantissa.length) return mantissa + '0'.repeat(point - mantissa.length);
  return `${mantissa.slice(0, point)}.${mantissa.slice(point)}`;
}

/**
 * Odoo amount → minor units, rounding half away from zero at `decimalPlaces`:
 * `123.45` → `12345`; `1.005` (2 dp) → `101`; `-0.0005` (3 dp) → `-1`.
 * Reads the shortest decimal that prints the float (what Odoo meant), not its binary expansion.
 */
export function odooAmountToMinor(amount: number, decimalPlaces: number): number {
  checkDecimalPlaces(decimalPlaces);
  if (!Number.isFinite(amount)) throw new RangeError(`amount must be finite, got ${amount}`);
  const negative = amount < 0;
  const [intPart = '0', fracPart = ''] = plainDecimal(Math.abs(amount)).split('.');
  const kept = fracPart.padEnd(decimalPlaces, '0').slice(0, decimalPlaces);
  const firstDropped = fracPart.charAt(decimalPlaces);
  let magnitude = BigInt(intPart + kept);
  // Half away from zero: the first dropped digit decides (5 and more round the magnitude up).
  if (firstDropped >= '5') magnitude += 1n;
  if (magnitude > MAX_EXACT_MINOR) throw new RangeError(`amount ${amount} exceeds ${MAX_EXACT_DIGITS} significant digits in minor units`);
  const minor = Number(magnitude);
  return negative && minor !== 0 ? -minor : minor;
}
