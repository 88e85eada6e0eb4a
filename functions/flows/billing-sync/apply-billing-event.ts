import type { SourceSystem } from '../../../events/envelope';
import type { DisputeUpdated } from '../../../events/dispute-updated';
import type { AccountStandingLedger } from '../../domain/account-standing';
import type { BillingSource } from '../../domain/billing-ledger';
import type { BillingSyncPorts } from './billing-sync-ports';
import { type DisputeOutcome, type DisputeSyncPorts, syncDisputeUpdated } from './dispute-sync';
import { type BillingEvent, type BillingOutcome, syncBilling } from './sync-billing';

/**
 * Everything billing-sync talks to, with the provider asked per system and account: a provider account (a connected
 * account of a platform) sees only its own objects, so what an event depends on is read on the event's account.
 */
export type BillingFlowPorts = Omit<BillingSyncPorts, 'source'> &
  Omit<DisputeSyncPorts, 'source'> & {
    readonly standing: AccountStandingLedger;
    /**
     * The view of one account of the provider an event comes from (its `source`; null account: the event
     * carries none, e.g. the platform's own).
     */
    sourceFor(system: SourceSystem, account: string | null): BillingSource;
  };

/** The provider account a billing event happened on, as the canonical event carries it. */
export function providerAccountOf(event: BillingEvent | DisputeUpdated): string | null {
  switch (event.type) {
    case 'invoice.finalized':
    case 'invoice.voided':
    case 'invoice.uncollectible':
      return event.data.invoice.account;
    case 'payment.succeeded':
      return event.data.payment.account;
    case 'payment.failed':
      return event.data.attempt.account;
    case 'refund.created':
    case 'refund.updated':
      return event.data.refund.account;
    case 'credit_note.issued':
      return event.data.creditNote.account;
    case 'dispute.updated':
      return event.data.dispute.account;
  }
}

/** One billing-sync event → its use case, with the provider read on the event's own account. */
export function applyBillingEvent(event: BillingEvent | DisputeUpdated, ports: BillingFlowPorts): Promise<BillingOutcome | DisputeOutcome> {
  const scoped = { ...ports, source: ports.sourceFor(event.source, providerAccountOf(event)) };
  return event.type === 'dispute.updated' ? syncDisputeUpdated(event, scoped) : syncBilling(event, scoped);
}
