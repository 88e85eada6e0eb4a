/**
 * What the support flows read and write in the ERP: the partner's name (what its organization is created with) and a
 * note in its chatter (a ticket opened or solved), so that finance sees support context on the customer.
 */
export interface SupportLedger {
  /** The partner's display name; undefined when the partner is gone. */
  partnerName(partnerId: number): Promise<string | undefined>;
  /** An internal note on the partner (plain text: a string body is escaped by `message_post`). */
  note(partnerId: number, body: string): Promise<void>;
}
