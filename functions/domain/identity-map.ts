/**
 * The identity map: one canonical entity and its id in every system. Flows look ids up here before
 * asking Odoo, so a known customer costs no search call.
 */
export type SystemRef = { system: string; kind: string; id: string };

export interface IdentityMap {
  /** The entity's id in another system, if linked. */
  find(entityKey: string, system: string, kind: string): Promise<string | undefined>;
  /** Links (or re-links) the entity to its id in a system. */
  link(entityKey: string, ref: SystemRef): Promise<void>;
}
