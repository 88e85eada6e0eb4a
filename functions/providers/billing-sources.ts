import type { SourceSystem } from '../../events/envelope';
import type { BillingSource } from '../domain/billing-ledger';
import type { BillingSourceRow } from './provider-module';
import { PAYPAL_BILLING_SOURCES } from './paypal/paypal-read-sources';
import { configuredSystems, UnknownProviderError } from './registry';
import { STRIPE_BILLING_SOURCES } from './stripe/stripe-read-sources';

/**
 * One row per provider that bills: its read API for billing-sync. Apart from the registry so that only
 * billing-sync bundles the providers' clients and mappings (the other consumers need the registry's facts only).
 */
export const BILLING_SOURCES: readonly BillingSourceRow[] = [STRIPE_BILLING_SOURCES, PAYPAL_BILLING_SOURCES];

/**
 * The read API of every billing provider the stage runs (`PROVIDER_SYSTEMS`), built at cold start (a missing
 * setting fails the start, not the first event): the source of an event's system and account.
 */
export function billingSourcesFromEnv(env: NodeJS.ProcessEnv = process.env): (system: SourceSystem, account: string | null) => BillingSource {
  const systems = configuredSystems(env);
  // A provider that bills nothing (no row here) is left out: none of its events is a billing event.
  const bySystem = new Map(BILLING_SOURCES.filter((row) => systems.includes(row.system)).map((row) => [row.system, row.billingSourcesFromEnv()] as const));
  return (system, account) => {
    const sourceOfAccount = bySystem.get(system);
    if (sourceOfAccount === undefined) throw new UnknownProviderError(`no billing source for ${system} events`);
    return sourceOfAccount(account);
  };
}
