import type { DisputeUpdated } from '../../events/dispute-updated';
import type { BillingLedger } from './billing-ledger';

/**
 * What a dispute (chargeback) does to the books. While open, the account is flagged; closed won (or any
 * close that is not a loss: an inquiry closed, a dispute prevented), the flag goes; closed lost, the
 * payment is gone: a credit note on the invoice brings the Odoo receivable in line with the money.
 */

export type DisputeSnapshot = DisputeUpdated['data']['dispute'];

export type DisputeStage = 'open' | 'won' | 'lost';

/** A closed dispute's stage is its canonical `outcome`; an event from before `outcome` existed says it by status `lost`. */
export function disputeStageOf(dispute: Pick<DisputeSnapshot, 'closed' | 'status' | 'outcome'>): DisputeStage {
  if (!dispute.closed) return 'open';
  return dispute.outcome ?? (dispute.status === 'lost' ? 'lost' : 'won');
}

/** `ref` marker of a lost dispute's credit note: how a repeated attempt finds it (`findReversal`). */
export const lostDisputeMarker = (disputeId: string): string => `Lost dispute ${disputeId}`;

/**
 * How the disputed amount is taken back: the reversal wizard when it is the whole invoice (it mirrors every
 * line and tax), else an `out_refund` with one untaxed line of exactly the disputed amount. More than the
 * invoice total is refused: the charge paid something else too, and only a person can say what.
 */
export function reversalKindOf(disputedMinor: number, invoiceTotalMinor: number): 'full' | 'partial' | 'exceeds' {
  if (disputedMinor === invoiceTotalMinor) return 'full';
  return disputedMinor < invoiceTotalMinor ? 'partial' : 'exceeds';
}

/**
 * The Odoo side of disputes: all of it is the billing ledger's (invoice lookup, credit notes, partner by
 * external id), so the billing ledger adapter is the dispute ledger too.
 */
export type DisputeLedger = Pick<
  BillingLedger,
  'partnerByExternalId' | 'findDocument' | 'readDocument' | 'findReversal' | 'reverseDocument' | 'createPostedDocument' | 'precisions' | 'findPayment' | 'registerPayment'
>;
