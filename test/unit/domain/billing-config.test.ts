import { describe, expect, it } from 'vitest';
import { ambiguousCompanyRoutes, type BillingConfig, billingConfigSchema, type CompanyRoute, companyRouteFor, NoCompanyRouteError } from '../../../functions/domain/billing-config';
import { isRetryable } from '../../../functions/platform/errors';

const route = (account: string | null, currency: string, companyId: number, source?: CompanyRoute['source']): CompanyRoute => ({
  ...(source === undefined ? {} : { source }),
  account,
  currency,
  companyId,
  salesJournalId: companyId * 10,
  bankJournalId: companyId * 10 + 1,
});
const withRoutes = (companies: CompanyRoute[]): BillingConfig => ({
  companies,
  taxes: [],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
});
const config = withRoutes([route('acct_EU', 'eur', 2), route('acct_EU', '*', 3), route(null, 'usd', 1), route('*', 'jpy', 4), route('acct_EU', 'jpy', 5)]);
const stripe = (account: string | null, currency: string) => ({ system: 'stripe' as const, account, currency });
const paypal = (currency: string) => ({ system: 'paypal' as const, account: null, currency });

describe('companyRouteFor', () => {
  it('takes the route whose account and currency match, "*" matching any, the most specific one when several do', () => {
    expect(ambiguousCompanyRoutes(config.companies)).toEqual([]);
    expect(companyRouteFor(config, stripe('acct_EU', 'eur')).companyId).toBe(2);
    expect(companyRouteFor(config, stripe('acct_EU', 'gbp')).companyId).toBe(3);
    expect(companyRouteFor(config, stripe(null, 'usd')).companyId).toBe(1);
    expect(companyRouteFor(config, stripe('acct_JP', 'jpy')).companyId).toBe(4);
    // acct_EU/* and */jpy both match and name one field each: the route naming both decides.
    expect(companyRouteFor(config, stripe('acct_EU', 'jpy')).companyId).toBe(5);
  });

  it('routes by source system: a PayPal payment and a Stripe payment of one currency land in their own bank journals', () => {
    const bySource = withRoutes([route('*', '*', 1), route('*', '*', 2, 'paypal'), route('*', 'eur', 3, 'paypal')]);
    expect(companyRouteFor(bySource, stripe(null, 'usd')).bankJournalId).toBe(11);
    expect(companyRouteFor(bySource, paypal('usd')).bankJournalId).toBe(21);
    // Source + currency beats source alone.
    expect(companyRouteFor(bySource, paypal('eur')).bankJournalId).toBe(31);
    // "*" and an absent source are the same wildcard.
    expect(companyRouteFor(withRoutes([route('*', '*', 7, '*')]), paypal('usd')).companyId).toBe(7);
  });

  it('does not depend on the order of the routes', () => {
    const routes = [route('*', '*', 1), route('*', '*', 2, 'paypal'), route('acct_EU', '*', 3, 'stripe'), route('acct_EU', 'eur', 4, 'stripe')];
    expect(ambiguousCompanyRoutes(routes)).toEqual([]);
    for (const ordered of [routes, [...routes].reverse()]) {
      const shuffled = withRoutes(ordered);
      expect(companyRouteFor(shuffled, stripe('acct_EU', 'eur')).companyId).toBe(4);
      expect(companyRouteFor(shuffled, stripe('acct_EU', 'usd')).companyId).toBe(3);
      expect(companyRouteFor(shuffled, paypal('eur')).companyId).toBe(2);
      expect(companyRouteFor(shuffled, stripe(null, 'eur')).companyId).toBe(1);
    }
  });

  it('refuses a document no route covers with a permanent error naming the source, account and currency', () => {
    const attempt = () => companyRouteFor(config, stripe(null, 'kwd'));
    expect(attempt).toThrow(NoCompanyRouteError);
    expect(attempt).toThrow('no Odoo company is configured for source stripe, provider account (platform) and currency kwd');
    expect(() => companyRouteFor(withRoutes([route('*', '*', 1, 'stripe')]), paypal('usd'))).toThrow('source paypal');
    let error: unknown;
    try {
      attempt();
    } catch (caught) {
      error = caught;
    }
    // Dead-lettered at once with its reason: retrying cannot help until the stage config gains the route.
    expect(isRetryable(error)).toBe(false);
    expect((error as Error).name).toBe('NoCompanyRouteError');
  });
});

describe('an ambiguous set of company routes is refused at load', () => {
  it('two routes naming as many fields that one document matches both of: refused, naming both and the settling route', () => {
    const problems = ambiguousCompanyRoutes([route('*', 'eur', 1), route('*', '*', 2, 'paypal')]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('{ source: *, account: *, currency: eur }');
    expect(problems[0]).toContain('{ source: paypal, account: *, currency: * }');
    expect(problems[0]).toContain('add a route for exactly { source: paypal, account: *, currency: eur }');

    const parsed = billingConfigSchema.safeParse(withRoutes([route('*', 'eur', 1), route('*', '*', 2, 'paypal')]));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['companies']);
    expect(parsed.error?.issues[0]?.message).toContain('ambiguous');
  });

  it('the route for what both share settles it', () => {
    expect(ambiguousCompanyRoutes([route('*', 'eur', 1), route('*', '*', 2, 'paypal'), route('*', 'eur', 3, 'paypal')])).toEqual([]);
    expect(billingConfigSchema.safeParse(withRoutes([route('*', 'eur', 1), route('*', '*', 2, 'paypal'), route('*', 'eur', 3, 'paypal')])).success).toBe(true);
  });

  it('the same route twice (an absent source is "*") is refused; routes that cannot share a document are not', () => {
    expect(ambiguousCompanyRoutes([route('*', '*', 1), route('*', '*', 2, '*')])).toEqual(['the company route { source: *, account: *, currency: * } is listed twice: keep one']);
    expect(ambiguousCompanyRoutes([route('*', '*', 1, 'stripe'), route('*', '*', 2, 'paypal')])).toEqual([]);
    expect(ambiguousCompanyRoutes([route(null, 'usd', 1), route('acct_EU', '*', 2)])).toEqual([]);
    // Different specificity: the more specific one wins, nothing to refuse.
    expect(ambiguousCompanyRoutes([route('*', '*', 1), route('*', 'eur', 2, 'paypal')])).toEqual([]);
  });

  it('refuses a source that is no source system', () => {
    expect(billingConfigSchema.safeParse(withRoutes([{ ...route('*', '*', 1), source: 'PayPal' as never }])).success).toBe(false);
  });
});
