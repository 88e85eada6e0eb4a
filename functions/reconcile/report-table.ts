import { formatMinorUnits } from '../domain/odoo-document-lines';
import { providerOf } from '../providers/registry';
import type { DriftItem } from '../domain/reconciliation';
import type { ReconciliationReport, ReconciliationRunReport } from './reconcile-period';

const AMOUNT_KINDS = new Set<DriftItem['kind']>(['missing_in_odoo', 'amount_mismatch', 'orphan_in_odoo']);

/** A drift value for humans: amounts in major units with their currency (`49.99 usd`), the rest as is. */
function shown(item: DriftItem, value: DriftItem['expected'] | DriftItem['actual'], currencyExponent: (currency: string) => number): string {
  if (value === undefined || value === null) return value === null ? '(none)' : '';
  if (typeof value === 'number' && AMOUNT_KINDS.has(item.kind)) {
    let exponent = 2;
    try {
      exponent = currencyExponent(item.currency);
    } catch {
      // Not a provider currency we know: show two decimals rather than nothing.
    }
    return `${formatMinorUnits(value, exponent)} ${item.currency}`;
  }
  return String(value);
}

/**
 * The report as a plain-text table (the CLI's output), one line per drift item with its remedy's action, then
 * the summary, then each remedy's step once per item (numbered by line): the steps are sentences, too long for a column.
 */
export function formatReportTable(report: ReconciliationReport, currencyExponent: (currency: string) => number = () => 2): string {
  const header = ['#', 'kind', 'type', 'provider id', 'odoo id', 'expected', 'actual', 'remedy', 'detail'];
  const rows = report.items.map((item, index) => [
    String(index + 1),
    item.kind,
    item.documentType,
    item.providerId,
    item.odooId === undefined ? '' : String(item.odooId),
    shown(item, item.expected, currencyExponent),
    shown(item, item.actual, currencyExponent),
    item.remedy.action,
    item.detail ?? '',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const { summary, period } = report;
  const { checked: count } = summary;
  const checked = `checked ${count.invoice} invoices, ${count.payment} payments, ${count.refund} refunds, ${count.credit_note} credit notes, ${count.dispute} disputes`;
  const lines = [`Reconciliation ${period.from} → ${period.to}: ${checked}`];
  if (rows.length === 0) lines.push('No drift.');
  else {
    lines.push('', line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line), '');
    const kinds = Object.entries(summary.byKind)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${kind} ${count}`);
    lines.push(`${summary.drift} drift item${summary.drift === 1 ? '' : 's'}: ${kinds.join(', ')}`, '', 'Remedies:');
    report.items.forEach((item, index) => lines.push(`${index + 1}. ${item.kind} ${item.providerId} — ${item.remedy.action}: ${item.remedy.step}`));
  }
  if (report.reemit) {
    const { emitted, failed, skipped } = report.reemit;
    lines.push(skipped ? `Re-emit skipped: ${skipped}` : `Re-emitted ${emitted.length}${failed.length ? `, failed ${failed.length}: ${failed.map((f) => `${f.providerId} (${f.error})`).join('; ')}` : ''}`);
  }
  return lines.join('\n');
}

/** Every provider's table under its name, or why it could not be reconciled; the CLI's output. */
export function formatRunReport(run: ReconciliationRunReport): string {
  const sections = run.providers.map(({ system, report, error }) => {
    const provider = providerOf(system);
    const title = `== ${provider.displayName} ==`;
    return report ? `${title}\n${formatReportTable(report, (currency) => provider.currencyExponent(currency))}` : `${title}\nNot reconciled: ${error}`;
  });
  if (sections.length === 0) sections.push('No provider to reconcile.');
  return sections.join('\n\n');
}
