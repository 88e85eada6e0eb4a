import type { SourceSystem } from '../../events/envelope';
import type { BillingSource } from '../domain/billing-ledger';
import { PermanentSyncError } from '../platform/errors';
import type { ProviderModule } from './provider-module';
import { STRIPE_PROVIDER } from './stripe/stripe-provider';

/** One row per provider: the source system of its canonical events → its module. */
export const PROVIDERS: readonly ProviderModule[] = [STRIPE_PROVIDER];

/** An event from a system no provider module handles here: no retry can change that. */
export class UnknownProviderError extends PermanentSyncError {
  override name = 'UnknownProviderError';
}

/** The module of the provider an event comes from (its envelope's `source`). */
export function providerOf(system: SourceSystem): ProviderModule {
  const provider = PROVIDERS.find((candidate) => candidate.system === system);
  if (provider === undefined) throw new UnknownProviderError(`no provider module for ${system} events`);
  return provider;
}

/** How many decimals a minor unit of `system`'s amounts has in a currency. */
export function providerCurrencyExponent(system: SourceSystem, currency: string): number {
  return providerOf(system).currencyExponent(currency);
}

/**
 * Every provider's read API as billing-sync needs it, built at cold start (a missing setting fails the start,
 * not the first event): the source of an event's system and account.
 */
export function billingSourcesFromEnv(): (system: SourceSystem, account: string | null) => BillingSource {
  const bySystem = new Map(PROVIDERS.map((provider) => [provider.system, provider.billingSourcesFromEnv()]));
  return (system, account) => {
    const sourceOfAccount = bySystem.get(system);
    if (sourceOfAccount === undefined) throw new UnknownProviderError(`no provider module for ${system} events`);
    return sourceOfAccount(account);
  };
}
