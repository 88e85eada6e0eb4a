import * as z from 'zod/mini';

/**
 * What the deal flow needs to know besides the deal (stage config `deals`, `DEAL_CONFIG` in the function):
 * - `companyId`: the Odoo company quotations are made in;
 * - `products`: the configured price mapping, `<system>:<CRM product id>` → the Odoo product, by its Internal
 *   Reference (`default_code`, a string) or its database id (a number). A mapped line is sold as the mapped
 *   product whatever its SKU; an unmapped line by its SKU as Internal Reference.
 */
export const dealConfigSchema = z.strictObject({
  companyId: z.number().check(z.int(), z.positive()),
  products: z.record(
    z.string().check(z.regex(/^[a-z]+:.+$/, 'keys are <system>:<CRM product id>')),
    z.union([z.string().check(z.minLength(1)), z.number().check(z.int(), z.positive())]),
  ),
});
export type DealConfig = z.infer<typeof dealConfigSchema>;
