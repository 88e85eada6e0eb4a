import type { SourceSystem } from '../../events/envelope';
import type { BillingSource } from '../domain/billing-ledger';

/**
 * What a provider module gives the provider-neutral flows (its webhook ingest is its own Lambda function and
 * needs nothing from here). A flow picks the module of an event by the event's `source` (providers/registry.ts).
 */
export interface ProviderModule {
  readonly system: SourceSystem;
  /** `Stripe`: how Odoo documents name the provider (narrations, notes, the rounding line). */
  readonly displayName: string;
  /** How many decimals the provider's minor unit has in a currency (Stripe's JPY: 0, KWD: 3). */
  currencyExponent(currency: string): number;
  /**
   * The provider's read API as billing-sync needs it (what an event depends on and Odoo lacks), one source
   * per provider account, built from the function's environment at cold start. Absent for a provider that bills
   * nothing (a CRM): billing-sync never receives its events.
   */
  billingSourcesFromEnv?(): (account: string | null) => BillingSource;
}
