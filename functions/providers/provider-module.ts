import type { CanonicalEvent } from '../../events/catalog';
import type { SourceSystem } from '../../events/envelope';
import type { BillingSource } from '../domain/billing-ledger';
import type { ProviderLister, Reemitter } from '../reconcile/reconcile-period';

/**
 * A provider's side of the scheduled reconciliation: the lister of a period's documents (which also says how its
 * ids appear in Odoo references) and the re-emitter of a document Odoo is missing, when the provider's read API
 * can give back the object its webhook carried.
 */
export interface ReconciliationSource {
  provider: ProviderLister;
  reemitter?: Reemitter;
}

/**
 * What a provider module gives the provider-neutral flows (its webhook ingest is its own Lambda function and
 * needs nothing from here). A flow picks the module of an event by the event's `source` (providers/registry.ts).
 * Only light facts here: every flow consumer bundles every row. The read API, which brings a provider's client and
 * mappings, is a row of its own where only the function that calls it bundles it: `BillingSourceRow`
 * (providers/billing-sources.ts, billing-sync) and `ReconciliationSourceRow` (providers/reconciliation-sources.ts).
 */
export interface ProviderModule {
  readonly system: SourceSystem;
  /** `Stripe`: how Odoo documents name the provider (narrations, notes, the rounding line). */
  readonly displayName: string;
  /** How many decimals the provider's minor unit has in a currency (Stripe's JPY: 0, KWD: 3). */
  currencyExponent(currency: string): number;
}

/**
 * The provider's read API as billing-sync needs it (what an event depends on and Odoo lacks), one source per
 * provider account, built from the function's environment at cold start. A provider that bills nothing (a CRM)
 * has no such row: billing-sync never receives its events.
 */
export interface BillingSourceRow {
  readonly system: SourceSystem;
  billingSourcesFromEnv(): (account: string | null) => BillingSource;
}

/**
 * The provider's reconciliation source, built from the function's environment at cold start; `publish` puts
 * re-emitted canonical events on the bus. A provider without such a row is not reconciled (the run report says so).
 */
export interface ReconciliationSourceRow {
  readonly system: SourceSystem;
  reconciliationSourceFromEnv(publish: (events: readonly CanonicalEvent[]) => Promise<void>): ReconciliationSource;
}
