import type { CanonicalEvent } from '../../events/catalog';
import type { SourceSystem } from '../../events/envelope';
import type { ProviderReconciliation } from '../reconcile/reconcile-period';
import type { ReconciliationSourceRow } from './provider-module';
import { PAYPAL_RECONCILIATION_SOURCE } from './paypal/paypal-read-sources';
import { configuredSystems } from './registry';
import { STRIPE_RECONCILIATION_SOURCE } from './stripe/stripe-read-sources';

/** One row per provider that is reconciled: its period lister and re-emitter. Only the reconcile function bundles them. */
export const RECONCILIATION_SOURCES: readonly ReconciliationSourceRow[] = [STRIPE_RECONCILIATION_SOURCE, PAYPAL_RECONCILIATION_SOURCE];

/**
 * The reconciliation source of every provider the stage runs (`PROVIDER_SYSTEMS`, as for billing-sync), built at
 * cold start, in the registry's order; `unreconciled` names the configured providers that have none.
 */
export function reconciliationSourcesFromEnv(
  publish: (events: readonly CanonicalEvent[]) => Promise<void>,
  env: NodeJS.ProcessEnv = process.env,
): { sources: ProviderReconciliation[]; unreconciled: SourceSystem[] } {
  const systems = configuredSystems(env);
  const rowOf = (system: SourceSystem) => RECONCILIATION_SOURCES.find((row) => row.system === system);
  const sources = systems.flatMap((system) => {
    const row = rowOf(system);
    return row ? [{ system, ...row.reconciliationSourceFromEnv(publish) }] : [];
  });
  return { sources, unreconciled: systems.filter((system) => rowOf(system) === undefined) };
}
