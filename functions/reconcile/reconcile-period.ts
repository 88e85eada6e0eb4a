import type { SourceSystem } from '../../events/envelope';
import {
  DOCUMENT_TYPES,
  type DocumentType,
  DRIFT_KINDS,
  type DriftItem,
  type OdooDocuments,
  type OdooPayment,
  type OurReferences,
  type ProviderDocuments,
  type ProviderPayment,
  reconcile,
  type ReconciliationSummary,
} from '../domain/reconciliation';
import { lostDisputeMarker } from '../domain/dispute-resolution';
import { refundMarker } from '../domain/refund-credit-notes';

/** Calendar days, UTC, both included: `{ from: '2026-11-01', to: '2026-11-30' }`. */
export interface Period {
  from: string;
  to: string;
}

export class InvalidPeriodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPeriodError';
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function checkDay(name: string, day: string): void {
  if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    throw new InvalidPeriodError(`${name} must be a date YYYY-MM-DD, got ${JSON.stringify(day)}`);
  }
}

export function checkPeriod(period: Period): Period {
  checkDay('from', period.from);
  checkDay('to', period.to);
  if (period.from > period.to) throw new InvalidPeriodError(`from ${period.from} is after to ${period.to}`);
  return period;
}

/** The day before `now`, UTC: the default period of the scheduled run. */
export function yesterday(now: Date): Period {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1)).toISOString().slice(0, 10);
  return { from: day, to: day };
}

/** How one provider's documents look in Odoo: which references are its ids, how to find them, its minor units. */
export interface ProviderInOdoo {
  /** Whole-string patterns of the provider's ids per document type: what counts as ours (orphans included). */
  ours: OurReferences;
  /**
   * Odoo `=like` patterns (`_` one character, `%` any) that find every move `ref` / `payment_reference` and every
   * payment `memo` of ours dated in the period: the orphan candidates. They may over-match; `ours` keeps exact ones.
   */
  moveReferencePatterns: readonly string[];
  paymentMemoPatterns: readonly string[];
  /** How many decimals the provider's minor unit has in a currency (ISO code, lower case). */
  currencyExponent(currency: string): number;
}

/** The provider side: documents of the period as plain records, and look-ups for the edge cases. */
export interface ProviderLister {
  readonly inOdoo: ProviderInOdoo;
  listPeriod(period: Period): Promise<Omit<ProviderDocuments, 'knownOutsidePeriod'>>;
  /** Of these ids found in Odoo but not in the period, the ones the provider has (outside the period). */
  existing(references: ReadonlyArray<{ documentType: DocumentType; id: string }>): Promise<Set<string>>;
  /** More ids a payment may be known by in Odoo (the charge of its payment intent), per payment id. */
  moreReferences(payments: readonly ProviderPayment[]): Promise<Map<string, string[]>>;
}

/** The Odoo side, amounts already in minor units. */
export interface OdooReconciliationReader {
  /**
   * Documents carrying these references (invoice and refund ids on moves, payment and refund ids as
   * payment memos), credit notes whose references contain a marker (`refundMarker`, `lostDisputeMarker`), what
   * the payments found are reconciled with, plus every document of ours dated in the period (orphan candidates).
   */
  read(request: { period: Period; provider: ProviderInOdoo; moveReferences: readonly string[]; paymentMemos: readonly string[]; moveMarkers?: readonly string[] }): Promise<OdooDocuments>;
  /** Payments whose memo is one of these. */
  readPayments(memos: readonly string[], provider: ProviderInOdoo): Promise<OdooPayment[]>;
}

export interface ReemitRequest {
  documentType: DocumentType;
  providerId: string;
}

/** Re-emits the canonical event of a provider document missing in Odoo (the flows then write it). */
export interface Reemitter {
  reemit(request: ReemitRequest): Promise<void>;
}

export interface ReconcilePorts {
  provider: ProviderLister;
  odoo: OdooReconciliationReader;
  reemitter?: Reemitter;
}

export interface ReconciliationReport {
  period: Period;
  summary: ReconciliationSummary;
  items: DriftItem[];
  /** Present when a re-emit was asked for: what was re-emitted (items whose remedy is `re-emit`). */
  reemit?: { emitted: string[]; failed: Array<{ providerId: string; error: string }>; skipped?: string };
}

function mergeById<T extends { id: number }>(...lists: ReadonlyArray<readonly T[]>): T[] {
  return [...new Map(lists.flat().map((record) => [record.id, record])).values()];
}

/**
 * Reconciles one period: provider documents vs Odoo, then (asked for) re-emits what is missing.
 *
 * Calls: the provider's period lists; one Odoo read of the documents carrying the period's ids and of
 * ours dated in the period; then, only for what the first comparison could not settle, the provider's
 * other ids of payments not found (charges) and one Odoo read for them, and a provider look-up of each
 * orphan candidate (an id of ours outside the period is not an orphan).
 */
export async function reconcilePeriod(period: Period, ports: ReconcilePorts, options: { reemit?: boolean } = {}): Promise<ReconciliationReport> {
  checkPeriod(period);
  const provider = await ports.provider.listPeriod(period);
  const creditNotes = provider.creditNotes ?? [];
  const disputes = provider.disputes ?? [];
  const moveReferences = new Set<string>([
    ...provider.invoices.map((invoice) => invoice.id),
    ...provider.payments.map((payment) => payment.invoiceId),
    ...provider.refunds.map((refund) => refund.id),
    ...creditNotes.map((creditNote) => creditNote.id),
  ]);
  const paymentMemos = new Set<string>([
    ...provider.payments.flatMap((payment) => [payment.id, ...(payment.references ?? [])]),
    ...provider.refunds.map((refund) => refund.id),
    ...disputes.map((dispute) => dispute.id),
  ]);
  // A whole-invoice credit note of the flows carries its marker inside the reversal wizard's `ref`; a provider
  // credit note paying out several refunds lists them all in `payment_reference`.
  const refundIds = new Set([...provider.refunds.map((refund) => refund.id), ...creditNotes.flatMap((creditNote) => creditNote.refundIds)]);
  const moveMarkers = [...[...refundIds].map(refundMarker), ...refundIds, ...disputes.map((dispute) => lostDisputeMarker(dispute.id))];
  const inOdoo = ports.provider.inOdoo;
  let odoo = await ports.odoo.read({ period, provider: inOdoo, moveReferences: [...moveReferences], paymentMemos: [...paymentMemos], moveMarkers });
  let first = reconcile(provider, odoo, inOdoo.ours);

  // Payments not found under their ids: the flow may have used the charge as memo.
  const missingPaymentIds = new Set(first.items.filter((item) => item.kind === 'missing_in_odoo' && item.documentType === 'payment').map((item) => item.providerId));
  let payments = provider.payments;
  if (missingPaymentIds.size > 0) {
    const more = await ports.provider.moreReferences(payments.filter((payment) => missingPaymentIds.has(payment.id)));
    const newMemos = [...more.values()].flat().filter((memo) => !paymentMemos.has(memo));
    if (newMemos.length > 0) {
      payments = payments.map((payment) => ({ ...payment, references: [...(payment.references ?? []), ...(more.get(payment.id) ?? [])] }));
      odoo = { moves: odoo.moves, payments: mergeById<OdooPayment>(odoo.payments, await ports.odoo.readPayments(newMemos, inOdoo)) };
      first = reconcile({ ...provider, payments }, odoo, inOdoo.ours);
    }
  }

  // Orphan candidates: ask the provider whether it has them at all.
  const candidates = first.items.filter((item) => item.kind === 'orphan_in_odoo');
  const knownOutsidePeriod = candidates.length > 0 ? await ports.provider.existing(candidates.map(({ documentType, providerId }) => ({ documentType, id: providerId }))) : new Set<string>();
  const result = knownOutsidePeriod.size > 0 ? reconcile({ ...provider, payments, knownOutsidePeriod }, odoo, inOdoo.ours) : first;

  const report: ReconciliationReport = { period, summary: result.summary, items: result.items };
  if (options.reemit) report.reemit = await reemitMissing(result.items, ports.reemitter);
  return report;
}

async function reemitMissing(items: readonly DriftItem[], reemitter: Reemitter | undefined): Promise<NonNullable<ReconciliationReport['reemit']>> {
  if (!reemitter) return { emitted: [], failed: [], skipped: 'no re-emitter is configured' };
  const emitted: string[] = [];
  const failed: Array<{ providerId: string; error: string }> = [];
  // One at a time: a re-emit burst would reach Odoo as one, past the flows' own pacing. In report order
  // (invoices first), so that a payment's invoice is re-emitted before it; one document once.
  const done = new Set<string>();
  for (const item of items) {
    if (item.remedy.action !== 're-emit' || done.has(item.providerId)) continue;
    done.add(item.providerId);
    try {
      await reemitter.reemit({ documentType: item.documentType, providerId: item.providerId });
      emitted.push(item.providerId);
    } catch (error) {
      failed.push({ providerId: item.providerId, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { emitted, failed };
}


/** One configured provider's side of a run: its system, lister and (when re-emitting is possible) re-emitter. */
export interface ProviderReconciliation {
  system: SourceSystem;
  provider: ProviderLister;
  reemitter?: Reemitter;
}

/** A drift item and the provider whose document it is about. */
export type ProviderDriftItem = DriftItem & { system: SourceSystem };

/** Every configured provider's report of one period: per provider, and summed up (what the metrics count). */
export interface ReconciliationRunReport {
  period: Period;
  /** All providers together. */
  summary: ReconciliationSummary;
  items: ProviderDriftItem[];
  /** Per provider, in the configured order: its own report, or why it could not be made. */
  providers: Array<{ system: SourceSystem; report?: ReconciliationReport; error?: string }>;
}

/**
 * Reconciles one period for every configured provider, one after the other (they share Odoo's limits). A provider
 * whose run fails (its API down, bad credentials) does not hide the others' drift: its error is in the run report,
 * and the caller decides whether a failed provider fails the run.
 */
export async function reconcileProviders(period: Period, providers: readonly ProviderReconciliation[], odoo: OdooReconciliationReader, options: { reemit?: boolean } = {}): Promise<ReconciliationRunReport> {
  checkPeriod(period);
  const run: ReconciliationRunReport = { period, summary: emptySummary(), items: [], providers: [] };
  for (const { system, provider, reemitter } of providers) {
    try {
      const report = await reconcilePeriod(period, { provider, odoo, ...(reemitter ? { reemitter } : {}) }, options);
      run.providers.push({ system, report });
      run.items.push(...report.items.map((item) => ({ ...item, system })));
      addSummary(run.summary, report.summary);
    } catch (error) {
      run.providers.push({ system, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return run;
}

function emptySummary(): ReconciliationSummary {
  return {
    checked: Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, 0])) as ReconciliationSummary['checked'],
    drift: 0,
    byKind: Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 0])) as ReconciliationSummary['byKind'],
    byDocumentType: Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, 0])) as ReconciliationSummary['byDocumentType'],
  };
}

function addSummary(total: ReconciliationSummary, one: ReconciliationSummary): void {
  total.drift += one.drift;
  for (const type of DOCUMENT_TYPES) {
    total.checked[type] += one.checked[type];
    total.byDocumentType[type] += one.byDocumentType[type];
  }
  for (const kind of DRIFT_KINDS) total.byKind[kind] += one.byKind[kind];
}
