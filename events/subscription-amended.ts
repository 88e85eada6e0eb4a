import * as z from 'zod/mini';
import { currencySchema } from './billing-parts';
import { canonicalEnvelope } from './envelope';
import { subscriptionSnapshotSchema } from './subscription-updated';

export const SUBSCRIPTION_AMENDED = 'subscription.amended';
export const SUBSCRIPTION_AMENDED_VERSION = 1;

const odooIdSchema = z.int().check(z.positive());
/** Exact decimal text at Odoo's precision of the field (`Product Unit of Measure`, `Product Price`): no float noise. */
const decimalTextSchema = z.string().check(z.regex(/^\d+(\.\d+)?$/));

/** A product line of the contract as Odoo holds it (lines without a product, a person's sections and notes, are not listed). */
export const contractLineSchema = z.strictObject({
  odooProductId: odooIdSchema,
  name: z.string(),
  quantity: decimalTextSchema,
  /** `price_unit`, in the order's currency (major units, Odoo's `Product Price` digits). */
  unitPrice: decimalTextSchema,
});
export type ContractLine = z.infer<typeof contractLineSchema>;

/**
 * A confirmed Odoo contract (the sale order of a subscription) whose lines a subscription snapshot changed: seats,
 * plan or price. Published by subscription-sync when it amends a confirmed contract — never for a new contract, a
 * quotation or an ending — with an id derived from the triggering event (`<event id>:amended`), so a redelivered
 * snapshot yields the same event, which consumers deduplicate by id. `previousLines` are the contract's lines with a
 * quantity before the change, `lines` those the snapshot asks for: what the amendment saga verifies, restores and
 * reports.
 */
export const subscriptionAmendedSchema = canonicalEnvelope(
  SUBSCRIPTION_AMENDED,
  SUBSCRIPTION_AMENDED_VERSION,
  z.strictObject({
    /** The snapshot that amended the contract. */
    subscription: subscriptionSnapshotSchema,
    order: z.strictObject({
      /** `sale.order` id. */
      id: odooIdSchema,
      /** `S00042`. */
      name: z.nullable(z.string()),
      /** The `res.partner` the contract is for. */
      partnerId: z.nullable(odooIdSchema),
    }),
    /** The order's currency. */
    currency: currencySchema,
    previousLines: z.array(contractLineSchema),
    lines: z.array(contractLineSchema),
  }),
);
export type SubscriptionAmended = z.infer<typeof subscriptionAmendedSchema>;
