/**
 * What becomes of two Odoo partners that turn out to be one company (a later explicit link joined their customers).
 * The Odoo adapter merges with Odoo's own partner-merge wizard (`base.partner.merge.automatic.wizard`: invoices,
 * payments, contacts and chatter move to the survivor, the other is archived), or flags both for a person.
 */
export interface PartnerMerger {
  /** Merges `absorbedId` into `survivorId`; `survivorId` is what remains. */
  merge(survivorId: number, absorbedId: number): Promise<void>;
  /** Leaves both, with a note in each partner's chatter naming the other. */
  flagForReview(partnerIds: readonly [number, number], reason: string): Promise<void>;
}
