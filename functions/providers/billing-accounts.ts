import type { SourceSystem } from '../../events/envelope';
import type { BillingAccounts } from '../domain/billing-accounts';
import { configuredSystems, UnknownProviderError } from './registry';
import { stripeBillingAccountsFromEnv } from './stripe/stripe-billing-accounts';

/** A billing provider a lifecycle saga can make customers and subscriptions at: its writer, from the function's environment. */
export interface BillingAccountsRow {
  readonly system: SourceSystem;
  billingAccountsFromEnv(env: NodeJS.ProcessEnv): BillingAccounts;
}

/** One row per provider the onboarding can subscribe customers at. Apart from the registry so that only the saga bundles the writers. */
export const BILLING_ACCOUNTS: readonly BillingAccountsRow[] = [{ system: 'stripe', billingAccountsFromEnv: stripeBillingAccountsFromEnv }];

/** The writer of `system` (the stage's onboarding billing provider), built at cold start; a provider the stage does not run is refused. */
export function billingAccountsFromEnv(system: SourceSystem, env: NodeJS.ProcessEnv = process.env): BillingAccounts {
  if (!configuredSystems(env).includes(system)) throw new UnknownProviderError(`the stage runs no ${system}: PROVIDER_SYSTEMS does not name it`);
  const row = BILLING_ACCOUNTS.find((candidate) => candidate.system === system);
  if (row === undefined) throw new UnknownProviderError(`no billing-accounts writer for ${system}`);
  return row.billingAccountsFromEnv(env);
}
