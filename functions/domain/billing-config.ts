import * as z from 'zod/mini';
import { PermanentSyncError } from '../platform/errors';

/**
 * How provider billing maps onto the Odoo database, per deployment (stage config → the flow's
 * `BILLING_CONFIG` environment variable, JSON). Odoo ids are those of the target database.
 */
export const billingConfigSchema = z.strictObject({
  /**
   * Which Odoo company and journals receive the documents of a provider account and currency. The first
   * route whose `account` (null = the platform account, "*" = any) and `currency` ("*" = any) match wins.
   */
  companies: z.array(
    z.strictObject({
      account: z.nullable(z.string()),
      currency: z.string().check(z.regex(/^([a-z]{3}|\*)$/)),
      companyId: z.int().check(z.positive()),
      salesJournalId: z.int().check(z.positive()),
      bankJournalId: z.int().check(z.positive()),
    }),
  ),
  /**
   * The Odoo sale tax for a provider tax: matched by tax rate id first, else by percentage and
   * inclusiveness (and company). A line whose tax matches nothing is a permanent error naming the tax:
   * guessing a tax would make the Odoo total differ from the provider's.
   */
  taxes: z.array(
    z.strictObject({
      taxRateId: z.optional(z.string()),
      percentage: z.optional(z.string().check(z.regex(/^\d+(\.\d+)?$/))),
      inclusive: z.boolean(),
      companyId: z.int().check(z.positive()),
      odooTaxId: z.int().check(z.positive()),
    }),
  ),
  /** Post a write-off when the provider marks an invoice uncollectible (else only flag the account). */
  writeOffUncollectible: z.boolean(),
  /** Names of the partner tags (res.partner.category) that show an account's standing. */
  standingTags: z.strictObject({ pastDue: z.string(), disputed: z.string(), uncollectible: z.string() }),
});
export type BillingConfig = z.infer<typeof billingConfigSchema>;
export type CompanyRoute = BillingConfig['companies'][number];

/** Configuration, not data: retrying cannot help until the stage config gains the route (then redrive the DLQ). */
export class NoCompanyRouteError extends PermanentSyncError {
  override name = 'NoCompanyRouteError';
  constructor(account: string | null, currency: string) {
    super(`no Odoo company is configured for provider account ${account ?? '(platform)'} and currency ${currency} (billing config: companies)`);
  }
}

/** The company and journals for a document of this account and currency. */
export function companyRouteFor(config: BillingConfig, account: string | null, currency: string): CompanyRoute {
  const route = config.companies.find(
    (candidate) => (candidate.account === '*' || candidate.account === account) && (candidate.currency === '*' || candidate.currency === currency),
  );
  if (!route) throw new NoCompanyRouteError(account, currency);
  return route;
}
