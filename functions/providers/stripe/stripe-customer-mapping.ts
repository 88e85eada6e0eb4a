import * as z from 'zod/mini';
import type { CustomerSnapshot } from '../../../events/customer-upserted';

const optionalText = () => z.nullish(z.string());

/** The fields of a Stripe customer we rely on; the rest of the object is ignored. */
export const stripeCustomerSchema = z.object({
  id: z.string().check(z.regex(/^cus_/)),
  name: optionalText(),
  email: optionalText(),
  phone: optionalText(),
  currency: optionalText(),
  livemode: z.optional(z.boolean()),
  address: z.nullish(
    z.object({
      line1: optionalText(),
      line2: optionalText(),
      city: optionalText(),
      postal_code: optionalText(),
      state: optionalText(),
      country: optionalText(),
    }),
  ),
});
export type StripeCustomer = z.infer<typeof stripeCustomerSchema>;

/** A Stripe customer as the canonical customer snapshot. `livemode` falls back to the event's when the object omits it. */
export function customerSnapshotFromStripe(customer: StripeCustomer, fallbackLivemode: boolean): CustomerSnapshot {
  const address = customer.address;
  return {
    system: 'stripe',
    id: customer.id,
    name: customer.name ?? null,
    email: customer.email ?? null,
    phone: customer.phone ?? null,
    address:
      address && Object.values(address).some((value) => value)
        ? {
            line1: address.line1 ?? null,
            line2: address.line2 ?? null,
            city: address.city ?? null,
            postalCode: address.postal_code ?? null,
            state: address.state ?? null,
            country: address.country ? address.country.toUpperCase() : null,
          }
        : null,
    currency: customer.currency ?? null,
    livemode: customer.livemode ?? fallbackLivemode,
  };
}
