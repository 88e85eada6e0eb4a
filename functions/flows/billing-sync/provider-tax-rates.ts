import type { DocumentLine } from '../../../events/billing-parts';
import type { SourceSystem } from '../../../events/envelope';
import type { ProviderTaxRate } from '../../domain/billing-ledger';
import { UnknownTaxRateError } from '../../domain/invoice-errors';
import { taxRatesToResolve, withProviderTaxRates } from '../../domain/invoice-taxes';
import type { BillingSyncPorts } from './billing-sync-ports';

/**
 * A provider document whose line taxes that name only their tax rate (a provider's webhooks may never
 * expand the rate) and that the billing config does not map by id get the rate's percentage from
 * the provider, so that the config can match them by percentage and inclusiveness. One `BillingSource.taxRate`
 * call per distinct rate id (a provider's source may cache rates per container: a provider call only for a rate
 * the container has not seen). Nothing to resolve, or a source without `taxRate`: the document as is (such a tax
 * then fails as unmapped). A rate the provider does not know: `UnknownTaxRateError` (permanent) naming it.
 */
export async function withResolvedTaxRates<Document extends { id: string; system: SourceSystem; lines: readonly DocumentLine[] }>(
  ports: Pick<BillingSyncPorts, 'source' | 'config'>,
  companyId: number,
  document: Document,
): Promise<Document> {
  const { source } = ports;
  if (source.taxRate === undefined) return document;
  const ids = taxRatesToResolve(ports.config, companyId, document.lines);
  if (ids.length === 0) return document;
  const taxRate = source.taxRate.bind(source);
  const rates = new Map<string, ProviderTaxRate>();
  await Promise.all(
    ids.map(async (id) => {
      const rate = await taxRate(id);
      if (rate === undefined) {
        throw new UnknownTaxRateError(
          `document ${document.id} has taxes of tax rate ${id}, which ${document.system} does not know: its rate cannot be read ` +
            '(map the rate by id in the billing config taxes, or check the provider account)',
        );
      }
      rates.set(id, rate);
    }),
  );
  return { ...document, lines: withProviderTaxRates(document.lines, rates) };
}
