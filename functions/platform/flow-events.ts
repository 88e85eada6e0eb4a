import * as z from 'zod/mini';
import { type CanonicalEvent, EVENT_CATALOG } from '../../events/catalog';
import { type FlowName, ROUTES } from '../../lib/routing';

/** The canonical events a flow receives: its row of the routing table (lib/routing.ts). */
export type FlowEvent<Flow extends FlowName> = Extract<CanonicalEvent, { type: (typeof ROUTES)[Flow][number] }>;

/**
 * The schema a flow's consumer parses its records with, derived from the routing table and the catalog, so
 * that routing a new event type to a flow is one line in lib/routing.ts: the rule and the consumer follow it.
 */
export function flowEventSchema<Flow extends FlowName>(flow: Flow): z.ZodMiniType<FlowEvent<Flow>> {
  const routed: readonly string[] = ROUTES[flow];
  const schemas = EVENT_CATALOG.filter((entry) => routed.includes(entry.type)).map((entry) => entry.schema);
  type Schema = (typeof schemas)[number];
  return z.discriminatedUnion('type', schemas as unknown as [Schema, ...Schema[]]) as unknown as z.ZodMiniType<FlowEvent<Flow>>;
}
