import * as z from 'zod/mini';
import type { SourceSystem } from '../../events/envelope';
import type { BillingSource } from '../domain/billing-ledger';
import { readEnv } from '../platform/env';
import { PermanentSyncError } from '../platform/errors';
import { HUBSPOT_PROVIDER } from './hubspot/hubspot-provider';
import { PAYPAL_PROVIDER } from './paypal/paypal-provider';
import type { CanonicalEvent } from '../../events/catalog';
import type { ProviderReconciliation } from '../reconcile/reconcile-period';
import type { ProviderModule } from './provider-module';
import { STRIPE_PROVIDER } from './stripe/stripe-provider';

/** One row per provider: the source system of its canonical events → its module. */
export const PROVIDERS: readonly ProviderModule[] = [STRIPE_PROVIDER, PAYPAL_PROVIDER, HUBSPOT_PROVIDER];

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
 * The read API of every provider the stage runs, as billing-sync needs it, built at cold start (a missing setting
 * fails the start, not the first event): the source of an event's system and account. `PROVIDER_SYSTEMS` (set by
 * the stack, comma-separated) names the providers the stage configures: a stage without a provider's settings has
 * no ingest for it, so its events cannot arrive, and its module is not asked for settings the stage lacks.
 */
export function billingSourcesFromEnv(env: NodeJS.ProcessEnv = process.env): (system: SourceSystem, account: string | null) => BillingSource {
  // A provider that bills nothing (no billing source) is left out: none of its events is a billing event.
  const bySystem = new Map(
    configuredProviders(env).flatMap((provider) => (provider.billingSourcesFromEnv === undefined ? [] : [[provider.system, provider.billingSourcesFromEnv()] as const])),
  );
  return (system, account) => {
    const sourceOfAccount = bySystem.get(system);
    if (sourceOfAccount === undefined) throw new UnknownProviderError(`no billing source for ${system} events`);
    return sourceOfAccount(account);
  };
}

/**
 * The reconciliation source of every provider the stage runs (`PROVIDER_SYSTEMS`, as for billing-sync), built at
 * cold start, in the registry's order; `unreconciled` names the configured providers whose module has none.
 */
export function reconciliationSourcesFromEnv(
  publish: (events: readonly CanonicalEvent[]) => Promise<void>,
  env: NodeJS.ProcessEnv = process.env,
): { sources: ProviderReconciliation[]; unreconciled: SourceSystem[] } {
  const providers = configuredProviders(env);
  const sources = providers.flatMap((provider) => (provider.reconciliationSourceFromEnv ? [{ system: provider.system, ...provider.reconciliationSourceFromEnv(publish) }] : []));
  const unreconciled = providers.filter((provider) => provider.reconciliationSourceFromEnv === undefined).map((provider) => provider.system);
  return { sources, unreconciled };
}

/** The modules of the providers `PROVIDER_SYSTEMS` (set by the stack, comma-separated) names; an unknown name fails. */
function configuredProviders(env: NodeJS.ProcessEnv): ProviderModule[] {
  const { PROVIDER_SYSTEMS } = readEnv({ PROVIDER_SYSTEMS: z.string().check(z.minLength(1)) }, env);
  const systems = PROVIDER_SYSTEMS.split(',').map((system) => system.trim());
  const unknown = systems.filter((system) => !PROVIDERS.some((provider) => provider.system === system));
  if (unknown.length > 0) throw new UnknownProviderError(`PROVIDER_SYSTEMS names no provider module: ${unknown.join(', ')}`);
  return PROVIDERS.filter((provider) => systems.includes(provider.system));
}
