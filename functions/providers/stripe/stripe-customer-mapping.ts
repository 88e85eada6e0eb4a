import * as z from 'zod/mini';
import type { CustomerSnapshot } from '../../../events/customer-upserted';
import type { RecordLink } from '../../../events/links';

const optionalText = () => z.nullish(z.string());

/** The fields of a Stripe customer we rely on; the rest of the object is ignored. */
export const stripeCustomerSchema = z.object({
  id: z.string().check(z.regex(/^cus_/)),
  name: optionalText(),
  email: optionalText(),
  phone: optionalText(),
  currency: optionalText(),
  livemode: z.optional(z.boolean()),
  metadata: z.nullish(z.record(z.string(), z.string())),
  /** Present when the customer was read with `expand[]=tax_ids` (or the event carried them). */
  tax_ids: z.nullish(z.object({ data: z.array(z.object({ value: z.string() })) })),
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
    links: linksFromMetadata(customer.metadata ?? {}),
    taxId: customer.tax_ids?.data[0]?.value ?? null,
  };
}

/**
 * The customer metadata keys that say which CRM company or Odoo partner the customer is (README "One customer
 * across systems"): set by whoever created the customer (a signup flow, a sales rep).
 */
export const STRIPE_LINK_METADATA = {
  hubspot_company_id: { system: 'hubspot', kind: 'account' },
  salesforce_account_id: { system: 'salesforce', kind: 'account' },
  odoo_partner_id: { system: 'odoo', kind: 'res.partner' },
} as const satisfies Record<string, Pick<RecordLink, 'system' | 'kind'>>;

function linksFromMetadata(metadata: Record<string, string>): RecordLink[] {
  return Object.entries(STRIPE_LINK_METADATA).flatMap(([key, target]) => {
    const id = metadata[key]?.trim();
    return id ? [{ ...target, id }] : [];
  });
}
