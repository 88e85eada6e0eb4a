/**
 * Amounts in integer minor units of their currency (cents, yen, fils), so that sums and taxes never
 * drift like floats do; converted back to floats only when a field is read, as Odoo returns them.
 */

/** Rounds half away from zero, as Odoo's `float_round` (HALF-UP) does. */
function roundHalfAwayFromZero(value: number): number {
  // toPrecision(15) drops the binary noise (49.99 * 100 = 4998.999999999999) before rounding.
  const cleaned = Number(value.toPrecision(15));
  return Math.sign(cleaned) * Math.round(Math.abs(cleaned));
}

export function toMinorUnits(amount: number, decimalPlaces: number): number {
  return roundHalfAwayFromZero(amount * 10 ** decimalPlaces);
}

export function fromMinorUnits(minorUnits: number, decimalPlaces: number): number {
  return Number((minorUnits / 10 ** decimalPlaces).toFixed(decimalPlaces));
}

/** `quantity × unit price`, less a discount in percent, rounded to the currency. */
export function lineSubtotalMinorUnits(quantity: number, priceUnit: number, discountPercent: number, decimalPlaces: number): number {
  return roundHalfAwayFromZero(quantity * priceUnit * (1 - discountPercent / 100) * 10 ** decimalPlaces);
}

/** A percentage of an amount in minor units, rounded to the currency (tax per line). */
export function percentOfMinorUnits(minorUnits: number, percent: number): number {
  return roundHalfAwayFromZero((minorUnits * percent) / 100);
}

/** The number of decimals a currency rounding implies: 0.01 → 2, 1.0 → 0, 0.001 → 3. */
export function decimalPlacesOfRounding(rounding: number): number {
  return rounding >= 1 ? 0 : Math.round(-Math.log10(rounding));
}
