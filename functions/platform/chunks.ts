/**
 * `items` in consecutive runs of at most `size`: what an API that takes a bounded batch (a provider's batch read of
 * 100 or 200 ids, an Odoo read of many ids) is called with, one call per run.
 */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a whole number ≥ 1, got ${size}`);
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
