import * as z from 'zod/mini';
import { sourceSystemSchema } from './envelope';

/**
 * Building blocks of the billing events. Money is an integer in the currency's minor units (cents,
 * yen, fils) from the provider to the Odoo boundary, never a float.
 */
export const minorAmountSchema = z.int().check(z.describe('integer amount in the currency’s minor units (JPY: yen, KWD: fils)'));
export const currencySchema = z.string().check(z.regex(/^[a-z]{3}$/), z.describe('ISO 4217, lower case'));
export const instantSchema = z.iso.datetime({ offset: true });
export const providerIdSchema = z.string().check(z.minLength(1));

/** Tax on one line, as the provider computed it: the Odoo tax is chosen by configuration from these. */
export const lineTaxSchema = z.strictObject({
  amount: minorAmountSchema,
  taxableAmount: z.nullable(minorAmountSchema),
  /** Provider tax rate id (`txr_…`), when the tax comes from a tax rate. */
  taxRateId: z.nullable(z.string()),
  /** Rate as a decimal string (`"19.0"`), exact; null when unknown. */
  percentage: z.nullable(z.string().check(z.regex(/^\d+(\.\d+)?$/))),
  inclusive: z.boolean(),
  /** Jurisdiction or display name, for the mapping and for humans. */
  label: z.nullable(z.string()),
});
export type LineTax = z.infer<typeof lineTaxSchema>;

/** A line of an invoice or credit note. `amount` is quantity × unit price, before discounts and exclusive taxes. */
export const documentLineSchema = z.strictObject({
  id: providerIdSchema,
  description: z.nullable(z.string()),
  priceId: z.nullable(z.string()),
  productId: z.nullable(z.string()),
  quantity: z.number().check(z.nonnegative()),
  amount: minorAmountSchema,
  discountAmount: minorAmountSchema,
  taxes: z.array(lineTaxSchema),
  periodStart: z.nullable(instantSchema),
  periodEnd: z.nullable(instantSchema),
  proration: z.boolean(),
});
export type DocumentLine = z.infer<typeof documentLineSchema>;

export const billingPartySchema = z.strictObject({
  system: sourceSystemSchema,
  /** The provider account the document belongs to (Stripe Connect `acct_…`), null for the platform account. */
  account: z.nullable(z.string()),
  customerId: providerIdSchema,
});

/**
 * What refunds and disputes refer to: the provider charge or payment intent, and the invoice and customer
 * it paid when the provider says so (null otherwise: the flow resolves them, never guesses).
 */
export const chargeReferenceShape = {
  system: sourceSystemSchema,
  account: z.nullable(z.string()),
  id: providerIdSchema,
  chargeId: z.nullable(z.string()),
  paymentIntentId: z.nullable(z.string()),
  invoiceId: z.nullable(z.string()),
  customerId: z.nullable(z.string()),
  amount: minorAmountSchema,
  currency: currencySchema,
  reason: z.nullable(z.string()),
  status: z.string(),
};
