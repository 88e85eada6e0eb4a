/**
 * Account standing: partner tags (`res.partner.category`, named by the billing config's `standingTags`)
 * plus chatter notes saying why, so that sales and support see a customer's standing in Odoo.
 *
 * A tag is per partner while its reasons are per subscription or dispute: the newest event about any of
 * them sets or clears it (a customer with two subscriptions, one past due, is cleared by the other one
 * becoming active). Counting reasons per partner needs a store of its own; see the report.
 */

/** The records whose chatter a standing note goes to. */
export type StandingNoteTarget = 'res.partner' | 'account.move' | 'sale.order';

/** The port through which flows mark standing; the Odoo adapter implements it. */
export interface AccountStandingLedger {
  /** Whether the partner carries the tag of this name (the tag is found or created by name, once per container). */
  hasTag(partnerId: number, tagName: string): Promise<boolean>;
  /** Adds the tag (idempotent). */
  addTag(partnerId: number, tagName: string): Promise<void>;
  /** Removes the tag (idempotent; the tag itself stays). */
  removeTag(partnerId: number, tagName: string): Promise<void>;
  /**
   * An internal note in the record's chatter. Plain text: over RPC `message_post` escapes a string body
   * (only a server-side `Markup` is HTML), so markup here would show as literal tags.
   */
  note(model: StandingNoteTarget, id: number, body: string): Promise<void>;
}

/**
 * Sets or clears a standing tag and, only when that changes the partner, notes why: a repeated or newer
 * snapshot with the same standing posts nothing. The note goes first: a crash between the two repeats the
 * note on the next delivery rather than losing it (the tag is still unchanged then). Returns whether the
 * standing changed.
 */
export async function markStanding(
  ledger: AccountStandingLedger,
  partnerId: number,
  tagName: string,
  present: boolean,
  noteBody: string,
): Promise<boolean> {
  if ((await ledger.hasTag(partnerId, tagName)) === present) return false;
  await ledger.note('res.partner', partnerId, noteBody);
  if (present) await ledger.addTag(partnerId, tagName);
  else await ledger.removeTag(partnerId, tagName);
  return true;
}
