import type { SubscriptionAmended } from '../../events/subscription-amended';
import type { BillingConfig } from '../../functions/domain/billing-config';
import type { SupportPolicy } from '../../functions/domain/support-policy';
import type { EntitlementFlowPorts } from '../../functions/flows/entitlements/sync-entitlement';
import type { SubscriptionSyncPorts } from '../../functions/flows/subscription-sync/sync-subscription';
import { InMemoryStanding, InMemorySubscriptionLedger } from './in-memory-contracts';
import { InMemoryLifecycleCrm } from './in-memory-lifecycle-crm';
import { InMemoryCustomerDirectory, InMemoryIdentityMap, InMemoryWatermarks } from './in-memory-ports';
import { InMemoryEntitlementStore, InMemorySupportDesk, InMemorySupportLedger } from './in-memory-support';

/**
 * The stage settings the subscription sagas' unit tests (offboarding, amendment) run with: one company for every
 * currency, and a support policy where the Pro price is the premium tier and any other plan standard.
 */
export const SAGA_BILLING_CONFIG: BillingConfig = {
  companies: [{ account: null, currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
};

export const SAGA_SUPPORT_POLICY: SupportPolicy = {
  entitlements: { tiers: ['none', 'standard', 'premium'], noneTier: 'none', unmappedTier: 'standard', plans: [{ plan: 'Pro', tier: 'premium', priceIds: ['price_PRO'] }] },
  tagPrefix: 'saas_',
  escalation: { tierPriorities: [], pastDueTag: 'billing_past_due' },
};

/** The Odoo partner of the Stripe customer `cus_1` (canonical customer `cust-1`) the subscription sagas' tests start from. */
export const SAGA_PARTNER_ID = 557;

/**
 * The Stripe customer `cus_1` as the flows left it before any subscription: its Odoo partner known, linked to its
 * canonical customer (and to the CRM company `crmCompany`, if given), with subscription-sync's and the entitlements
 * flow's ports over in-memory stores. `published` collects what subscription-sync puts on the bus.
 */
export async function sagaCustomer(options: { crmCompany?: string } = {}) {
  const watermarks = new InMemoryWatermarks();
  const identityMap = new InMemoryIdentityMap();
  const ledger = new InMemorySubscriptionLedger();
  ledger.partnerExternalIds.set('saas_sync.stripe_customer_cus_1', SAGA_PARTNER_ID);
  const standing = new InMemoryStanding();
  const directory = new InMemoryCustomerDirectory();
  const desk = new InMemorySupportDesk();
  const crm = new InMemoryLifecycleCrm();
  const supportLedger = new InMemorySupportLedger();
  supportLedger.contacts.set(SAGA_PARTNER_ID, { name: 'Acme', email: 'billing@acme.example' });
  await identityMap.link('stripe:customer:cus_1', { system: 'saas_sync', kind: 'customer', id: 'cust-1' });
  if (options.crmCompany !== undefined) directory.holders.set(`hubspot:account:${options.crmCompany}`, 'cust-1');
  const published: SubscriptionAmended[] = [];
  const subscriptions: SubscriptionSyncPorts = { ledger, standing, identityMap, watermarks, config: SAGA_BILLING_CONFIG, publish: async (events) => void published.push(...events) };
  const entitlements: EntitlementFlowPorts = {
    store: new InMemoryEntitlementStore(watermarks), watermarks, identityMap, directory, partners: ledger, ledger: supportLedger, desk, policy: SAGA_SUPPORT_POLICY, publish: async () => undefined,
  };
  return { subscriptions, entitlements, ledger, standing, desk, crm, published };
}
