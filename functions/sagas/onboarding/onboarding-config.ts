import * as z from 'zod/mini';
import type { DealWon } from '../../../events/deal-won';
import { sourceSystemSchema } from '../../../events/envelope';
import { PermanentSyncError } from '../../platform/errors';

/**
 * What the onboarding subscribes a won deal's customer to (stage config `sagas.onboarding`, passed to the steps as
 * ONBOARDING_CONFIG): the billing provider, how its invoices are collected, and each sold product's provider price —
 * by the deal line's SKU (the Odoo Internal Reference deal-sync sold it as), else by the Odoo product id.
 */
export const onboardingConfigSchema = z.strictObject({
  billingSystem: sourceSystemSchema,
  collection: z.discriminatedUnion('method', [
    z.strictObject({ method: z.literal('charge_automatically') }),
    z.strictObject({ method: z.literal('send_invoice'), daysUntilDue: z.int().check(z.positive()) }),
  ]),
  prices: z.strictObject({
    bySku: z.record(z.string().check(z.minLength(1)), z.string().check(z.minLength(1))),
    /** Keys are Odoo `product.product` ids, as text. */
    byOdooProduct: z.record(z.string().check(z.regex(/^\d+$/)), z.string().check(z.minLength(1))),
  }),
});
export type OnboardingConfig = z.infer<typeof onboardingConfigSchema>;
type WonLine = DealWon['data']['lines'][number];

/** A deal line no price is mapped for: the customer cannot be subscribed to what was sold (map it in the stage config). */
export class UnmappedPriceError extends PermanentSyncError {
  override name = 'UnmappedPriceError';
}

/** A quantity the provider cannot bill (a subscription item's quantity is a whole number). */
export class FractionalQuantityError extends PermanentSyncError {
  override name = 'FractionalQuantityError';
}

/**
 * The subscription items of the won order's lines, in order: each line's price by SKU, else by Odoo product. Every
 * unmapped line is named at once (one fix, not one failed run per line).
 */
export function subscriptionItemsOf(lines: readonly WonLine[], config: OnboardingConfig): { priceId: string; quantity: number }[] {
  const unmapped: string[] = [];
  const items = lines.flatMap((line) => {
    const priceId = (line.sku === null ? undefined : config.prices.bySku[line.sku]) ?? config.prices.byOdooProduct[String(line.odooProductId)];
    if (priceId === undefined) {
      unmapped.push(`line ${line.dealLineId} (${line.sku === null ? 'no SKU' : `SKU ${line.sku}`}, Odoo product ${line.odooProductId})`);
      return [];
    }
    if (!/^\d+(\.0+)?$/.test(line.quantity)) throw new FractionalQuantityError(`line ${line.dealLineId}: quantity ${line.quantity} is not a whole number`);
    return [{ priceId, quantity: Number.parseInt(line.quantity, 10) }];
  });
  if (unmapped.length > 0) throw new UnmappedPriceError(`no ${config.billingSystem} price is mapped for ${unmapped.join(', ')} (stage config sagas.onboarding.prices)`);
  if (items.length === 0) throw new UnmappedPriceError('the won order has no line to subscribe to');
  return items;
}
