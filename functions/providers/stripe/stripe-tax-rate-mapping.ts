import * as z from 'zod/mini';
import type { ProviderTaxRate } from '../../domain/billing-ledger';
import { stripePercentage } from './stripe-object-mapping';

/** The fields of a Stripe tax rate object (`GET /v1/tax_rates/txr_…`) we rely on. */
export const stripeTaxRateObjectSchema = z.object({
  id: z.string().check(z.minLength(1)),
  object: z.literal('tax_rate'),
  percentage: z.number().check(z.nonnegative()),
  inclusive: z.boolean(),
  /** `percentage` or `flat_amount` (a fixed amount per unit: its `percentage` sizes nothing); null on older rates. */
  rate_type: z.nullish(z.string()),
  display_name: z.nullish(z.string()),
  jurisdiction: z.nullish(z.string()),
});
export type StripeTaxRateObject = z.infer<typeof stripeTaxRateObjectSchema>;

/**
 * A Stripe tax rate as the billing flow matches it: the exact percentage (null for a flat-amount rate, which
 * only a billing config entry naming its id can map), the inclusiveness, and the label a line tax built from
 * an embedded rate would have (`display_name` and `jurisdiction`, as in stripe-object-mapping.ts).
 */
export function providerTaxRateFromStripe(rate: StripeTaxRateObject): ProviderTaxRate {
  const label = [rate.display_name, rate.jurisdiction].filter((part) => part).join(' ');
  return {
    id: rate.id,
    percentage: rate.rate_type === 'flat_amount' ? null : stripePercentage(rate.percentage, `tax rate ${rate.id}`),
    inclusive: rate.inclusive,
    label: label === '' ? null : label,
  };
}
