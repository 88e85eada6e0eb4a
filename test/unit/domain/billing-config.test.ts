import { describe, expect, it } from 'vitest';
import { type BillingConfig, companyRouteFor, NoCompanyRouteError } from '../../../functions/domain/billing-config';
import { isRetryable } from '../../../functions/platform/errors';

const route = (account: string | null, currency: string, companyId: number) => ({ account, currency, companyId, salesJournalId: companyId * 10, bankJournalId: companyId * 10 + 1 });
const config: BillingConfig = {
  companies: [route('acct_EU', 'eur', 2), route('acct_EU', '*', 3), route(null, 'usd', 1), route('*', 'jpy', 4)],
  taxes: [],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
};

describe('companyRouteFor', () => {
  it('takes the first route whose account and currency match, "*" matching any', () => {
    expect(companyRouteFor(config, 'acct_EU', 'eur').companyId).toBe(2);
    expect(companyRouteFor(config, 'acct_EU', 'gbp').companyId).toBe(3);
    expect(companyRouteFor(config, null, 'usd').companyId).toBe(1);
    expect(companyRouteFor(config, 'acct_JP', 'jpy').companyId).toBe(4);
  });

  it('refuses a document no route covers with a permanent error naming the account and currency', () => {
    const attempt = () => companyRouteFor(config, null, 'kwd');
    expect(attempt).toThrow(NoCompanyRouteError);
    expect(attempt).toThrow('no Odoo company is configured for provider account (platform) and currency kwd');
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
