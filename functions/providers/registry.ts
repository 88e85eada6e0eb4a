import * as z from 'zod/mini';
import type { SourceSystem } from '../../events/envelope';
import { readEnv } from '../platform/env';
import { PermanentSyncError } from '../platform/errors';
import { HUBSPOT_PROVIDER } from './hubspot/hubspot-provider';
import { PAYPAL_PROVIDER } from './paypal/paypal-provider';
import type { ProviderModule } from './provider-module';
import { SALESFORCE_PROVIDER } from './salesforce/salesforce-provider';
import { STRIPE_PROVIDER } from './stripe/stripe-provider';
import { ZENDESK_PROVIDER } from './zendesk/zendesk-provider';

/** One row per provider: the source system of its canonical events → its module (light facts; read APIs: billing-sources.ts, reconciliation-sources.ts). */
export const PROVIDERS: readonly ProviderModule[] = [STRIPE_PROVIDER, PAYPAL_PROVIDER, HUBSPOT_PROVIDER, SALESFORCE_PROVIDER, ZENDESK_PROVIDER];

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
 * The systems `PROVIDER_SYSTEMS` (set by the stack, comma-separated) names: the providers the stage configures. A
 * stage without a provider's settings has no ingest for it, so its events cannot arrive, and its read API is not
 * built from settings the stage lacks. An unknown name fails the cold start.
 */
export function configuredSystems(env: NodeJS.ProcessEnv): SourceSystem[] {
  const { PROVIDER_SYSTEMS } = readEnv({ PROVIDER_SYSTEMS: z.string().check(z.minLength(1)) }, env);
  const systems = PROVIDER_SYSTEMS.split(',').map((system) => system.trim());
  const unknown = systems.filter((system) => !PROVIDERS.some((provider) => provider.system === system));
  if (unknown.length > 0) throw new UnknownProviderError(`PROVIDER_SYSTEMS names no provider module: ${unknown.join(', ')}`);
  return PROVIDERS.filter((provider) => systems.includes(provider.system)).map((provider) => provider.system);
}
