import * as z from 'zod/mini';
import { type SourceSystem, sourceSystemSchema } from '../../events/envelope';
import { PermanentSyncError } from '../platform/errors';

const companyRouteSchema = z.strictObject({
  /** The source system whose documents and money the route takes (the canonical envelope's `source`); "*" or absent: any. */
  source: z.optional(z.union([sourceSystemSchema, z.literal('*')])),
  /** The provider account (a connected account of a platform); null = the platform's own account, "*" = any. */
  account: z.nullable(z.string()),
  currency: z.string().check(z.regex(/^([a-z]{3}|\*)$/)),
  companyId: z.int().check(z.positive()),
  salesJournalId: z.int().check(z.positive()),
  /** Where the money lands: the journal of the payments, refunds and chargebacks (each source its own bank account). */
  bankJournalId: z.int().check(z.positive()),
});

/**
 * How provider billing maps onto the Odoo database, per deployment (stage config → the flow's
 * `BILLING_CONFIG` environment variable, JSON). Odoo ids are those of the target database.
 */
export const billingConfigSchema = z
  .strictObject({
    /**
     * Which Odoo company and journals receive the documents and the money of a source system, provider account
     * and currency. A route matches when each of its `source`, `account` and `currency` is the document's or a
     * wildcard; among the routes that match, the most specific wins: the one that names the most of the three
     * (a wildcard names none; null names the platform account). Two routes that name as many fields and could
     * both match one document are ambiguous: the config is refused at load, naming both (a third route naming
     * the fields of both settles it). See `companyRouteFor`.
     */
    companies: z.array(companyRouteSchema),
    /**
     * The Odoo sale tax for a provider tax (per company), by the first rule that finds one: (1) the provider's
     * tax rate id; (2) the tax's name (the provider's label, compared trimmed and case-insensitively) among
     * the entries with a `name`, the entry's `percentage`, when it has one, equal to the tax's; (3) the
     * percentage among the entries with neither a tax rate id nor a name. Inclusiveness always has to agree.
     * A line whose tax matches nothing is a permanent error naming the tax: guessing a tax would make the Odoo
     * total differ from the provider's.
     */
    taxes: z.array(
      z.strictObject({
        taxRateId: z.optional(z.string()),
        name: z.optional(z.string().check(z.minLength(1))),
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
  })
  .check(
    z.superRefine((config, context) => {
      for (const message of ambiguousCompanyRoutes(config.companies)) context.addIssue({ code: 'custom', path: ['companies'], message, input: config.companies });
    }),
  );
export type BillingConfig = z.infer<typeof billingConfigSchema>;
export type CompanyRoute = BillingConfig['companies'][number];

/** What a company route is chosen for: the source system, provider account and currency of a document or a payment. */
export interface RouteKey {
  system: SourceSystem;
  account: string | null;
  currency: string;
}

/** Configuration, not data: retrying cannot help until the stage config gains the route (then redrive the DLQ). */
export class NoCompanyRouteError extends PermanentSyncError {
  override name = 'NoCompanyRouteError';
  constructor(key: RouteKey) {
    super(
      `no Odoo company is configured for source ${key.system}, provider account ${key.account ?? '(platform)'} and currency ${key.currency} (billing config: companies)`,
    );
  }
}

const ANY = '*';
const sourceOf = (route: CompanyRoute): string => route.source ?? ANY;

/** How many of source, account and currency a route names (a wildcard names none). */
function specificity(route: CompanyRoute): number {
  return Number(sourceOf(route) !== ANY) + Number(route.account !== ANY) + Number(route.currency !== ANY);
}

function matches(route: CompanyRoute, key: RouteKey): boolean {
  return (
    (sourceOf(route) === ANY || sourceOf(route) === key.system) &&
    (route.account === ANY || route.account === key.account) &&
    (route.currency === ANY || route.currency === key.currency)
  );
}

/**
 * The company and journals for a document or payment: the most specific route that matches (see the schema's
 * `companies`). The config was checked unambiguous at load, so at most one route is the most specific.
 */
export function companyRouteFor(config: BillingConfig, key: RouteKey): CompanyRoute {
  let best: CompanyRoute | undefined;
  for (const route of config.companies) {
    if (matches(route, key) && (best === undefined || specificity(route) > specificity(best))) best = route;
  }
  if (!best) throw new NoCompanyRouteError(key);
  return best;
}

const describeRoute = (route: CompanyRoute): string =>
  `{ source: ${sourceOf(route)}, account: ${route.account ?? 'null (platform)'}, currency: ${route.currency} }`;

/** Both values can be one document's: equal, or either a wildcard. */
const overlap = (left: string | null, right: string | null): boolean => left === ANY || right === ANY || left === right;
/** The narrower of two overlapping values. */
const narrower = (left: string | null, right: string | null): string | null => (left === ANY ? right : left);

/**
 * Why a set of routes cannot decide every document (empty when it can): two routes naming as many fields that one
 * document could match both of, unless a more specific route takes every document they share. Each message names
 * the two routes and the route that would settle them.
 */
export function ambiguousCompanyRoutes(routes: readonly CompanyRoute[]): string[] {
  const problems: string[] = [];
  routes.forEach((left, index) => {
    for (const right of routes.slice(index + 1)) {
      const level = specificity(left);
      if (specificity(right) !== level) continue;
      if (!overlap(sourceOf(left), sourceOf(right)) || !overlap(left.account, right.account) || !overlap(left.currency, right.currency)) continue;
      if (describeRoute(left) === describeRoute(right)) {
        problems.push(`the company route ${describeRoute(left)} is listed twice: keep one`);
        continue;
      }
      // What both take: the narrower value of each field.
      const shared: CompanyRoute = {
        ...left,
        source: narrower(sourceOf(left), sourceOf(right)) as CompanyRoute['source'],
        account: narrower(left.account, right.account),
        currency: narrower(left.currency, right.currency) as string,
      };
      const settled = routes.some(
        (route) =>
          specificity(route) > level &&
          (sourceOf(route) === ANY || sourceOf(route) === sourceOf(shared)) &&
          (route.account === ANY || route.account === shared.account) &&
          (route.currency === ANY || route.currency === shared.currency),
      );
      if (settled) continue;
      problems.push(
        `the company routes ${describeRoute(left)} and ${describeRoute(right)} are ambiguous: a document of ${describeRoute(shared)} matches both ` +
          `and they name as many fields; add a route for exactly ${describeRoute(shared)} to decide where it goes`,
      );
    }
  });
  return problems;
}
