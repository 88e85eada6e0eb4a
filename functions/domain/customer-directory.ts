/**
 * Who holds each key of the one-customer resolution: a record's own key (`<system>:account:7`), a linked record's key,
 * a match key (`match:vat:DE123`, `match:domain:acme.example`), and a merged customer's forward
 * (`saas_sync:customer:<absorbed>` → the survivor). Every write is a claim: the first customer to claim a key
 * holds it, and a later claim learns who does — so two resolutions racing for one company meet at one customer.
 */
export interface CustomerDirectory {
  /** The customer holding `key`, as stored (follow forwards to get the canonical one). */
  holderOf(key: string): Promise<string | undefined>;
  /** Claims `key` for `customerId` unless a customer holds it already; resolves to the holder after the attempt. */
  claim(key: string, customerId: string): Promise<string>;
  /** Every key a customer holds (its records, its match keys, the customers forwarded to it). */
  keysOf(customerId: string): Promise<string[]>;
}
