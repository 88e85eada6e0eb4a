/**
 * What the support flows read and write in the ERP: the partner's name and email (its organization is created with
 * the name, its billing contact is the email) and a note in its chatter (a ticket opened or solved), so that finance
 * sees support context on the customer.
 */
export interface SupportLedger {
  /** The partner's display name and email (undefined when it has none); undefined when the partner is gone. */
  partnerContact(partnerId: number): Promise<{ name: string; email: string | undefined } | undefined>;
  /** An internal note on the partner (plain text: a string body is escaped by `message_post`). */
  note(partnerId: number, body: string): Promise<void>;
}
