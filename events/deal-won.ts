import * as z from 'zod/mini';
import { currencySchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { crmRecordRefSchema } from './crm-parts';
import { canonicalEnvelope } from './envelope';

export const DEAL_WON = 'deal.won';
export const DEAL_WON_VERSION = 1;

const odooIdSchema = z.int().check(z.positive());

/** A line of the won order: the deal line it comes from and what Odoo sells. */
export const wonLineSchema = z.strictObject({
  /** The CRM's deal line. */
  dealLineId: providerIdSchema,
  sku: z.nullable(z.string()),
  /** The CRM's product the line was made from. */
  crmProductId: z.nullable(z.string()),
  odooProductId: odooIdSchema,
  name: z.nullable(z.string()),
  /** Exact decimal text, as the deal has it. */
  quantity: z.string().check(z.regex(/^\d+(\.\d+)?$/)),
  unitAmount: minorAmountSchema,
});

/**
 * A deal closed-won whose Odoo quotation is now a confirmed sale order: what an onboarding starts from. Published
 * once per deal by the deal flow, with an id derived from the deal (`<system>:deal:<id>:won`), so a redelivered
 * closed-won yields the same event, which consumers deduplicate by id. Amounts are the confirmed order's, as Odoo
 * computed them, in minor units of the order's currency (`amountUntaxed` is what the deal sold, `amountTotal`
 * with Odoo's taxes).
 */
export const dealWonSchema = canonicalEnvelope(
  DEAL_WON,
  DEAL_WON_VERSION,
  z.strictObject({
    deal: crmRecordRefSchema,
    name: z.nullable(z.string()),
    closeDate: z.nullable(instantSchema),
    /** The account the deal was sold to, in the CRM. */
    account: crmRecordRefSchema,
    order: z.strictObject({
      /** `sale.order` id. */
      id: odooIdSchema,
      /** `S00042`. */
      name: z.nullable(z.string()),
      /** The `res.partner` the order is for (the account's). */
      partnerId: odooIdSchema,
      /** When Odoo confirmed the order. */
      confirmedAt: instantSchema,
    }),
    currency: currencySchema,
    amountUntaxed: minorAmountSchema,
    amountTotal: minorAmountSchema,
    lines: z.array(wonLineSchema),
  }),
);
export type DealWon = z.infer<typeof dealWonSchema>;
