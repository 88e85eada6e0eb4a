/**
 * The identity map: one canonical entity and its id in every system. Flows look ids up here before
 * asking Odoo, so a known customer costs no search call.
 */
export type SystemRef = { system: string; kind: string; id: string };

/** One entity's link to its id in a system. */
export type EntityLink = { entityKey: string; ref: SystemRef };

export interface IdentityMap {
  /** The entity's id in another system, if linked. */
  find(entityKey: string, system: string, kind: string): Promise<string | undefined>;
  /** Links (or re-links) the entity to its id in a system. */
  link(entityKey: string, ref: SystemRef): Promise<void>;
  /**
   * Links several at once, as `link` each (one request to the store, not one per link): for the independent links
   * a use case writes together. A failure may leave some written; writing them all again is the retry.
   */
  linkAll(links: readonly EntityLink[]): Promise<void>;
}
