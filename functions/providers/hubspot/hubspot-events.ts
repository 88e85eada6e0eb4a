import * as z from 'zod/mini';

/**
 * HubSpot's webhook body: a JSON array of up to 100 thin events (what changed, not the record). Read tolerantly:
 * HubSpot adds fields over time, and the fields of a type (`propertyName`, `mergedObjectIds`, `fromObjectId` …)
 * are read where the type needs them.
 */
const idSchema = z.union([z.number(), z.string().check(z.regex(/^\d+$/))]);

export const hubspotEventSchema = z.looseObject({
  eventId: idSchema,
  subscriptionId: idSchema,
  portalId: idSchema,
  appId: z.optional(idSchema),
  occurredAt: z.number().check(z.int(), z.positive()),
  subscriptionType: z.string().check(z.minLength(1)),
  attemptNumber: z.optional(z.number()),
  objectId: z.optional(idSchema),
  changeSource: z.optional(z.string()),
  sourceId: z.optional(z.string()),
  changeFlag: z.optional(z.string()),
  propertyName: z.optional(z.string()),
  propertyValue: z.optional(z.unknown()),
  // Merges (`*.merge`)
  primaryObjectId: z.optional(idSchema),
  mergedObjectIds: z.optional(z.array(idSchema)),
  newObjectId: z.optional(idSchema),
  // Association changes (`*.associationChange`)
  fromObjectId: z.optional(idSchema),
  toObjectId: z.optional(idSchema),
  associationType: z.optional(z.string()),
  associationRemoved: z.optional(z.boolean()),
});
export type HubspotEvent = z.infer<typeof hubspotEventSchema>;

/** HubSpot's limit per delivery. */
export const HUBSPOT_MAX_EVENTS_PER_BODY = 100;

export const hubspotBodySchema = z.array(hubspotEventSchema).check(z.minLength(1), z.maxLength(HUBSPOT_MAX_EVENTS_PER_BODY));

/**
 * The key a delivery of one event is recognised by: HubSpot says `eventId` alone is not unique, so the portal, the
 * subscription and the time go with it. Retries (`attemptNumber` 1, 2 …) carry the same key.
 */
export function hubspotDedupeKey(event: Pick<HubspotEvent, 'portalId' | 'subscriptionId' | 'eventId' | 'occurredAt'>): string {
  return `${event.portalId}:${event.subscriptionId}:${event.eventId}:${event.occurredAt}`;
}

/** The CRM object kinds we take in, by HubSpot's name in `subscriptionType` and its CRM v3 object type. */
export const HUBSPOT_OBJECT_TYPES = { company: 'companies', contact: 'contacts', deal: 'deals' } as const;
export type HubspotObjectKind = keyof typeof HUBSPOT_OBJECT_TYPES;

/**
 * What an event asks of us: read the record and say what it now is (creation, a property change, an association
 * change, a restore), say it is gone (deletion), or read the survivor of a merge.
 */
export type HubspotChange =
  | { readonly kind: 'upsert'; readonly object: HubspotObjectKind; readonly id: string }
  | { readonly kind: 'delete'; readonly object: HubspotObjectKind; readonly id: string }
  | { readonly kind: 'merge'; readonly object: HubspotObjectKind; readonly survivorId: string; readonly mergedIds: readonly string[] };

const UPSERT_ACTIONS = new Set(['creation', 'propertyChange', 'associationChange', 'restore']);

/** The change an event asks for, or why it asks for none we handle. */
export function hubspotChangeOf(event: HubspotEvent): HubspotChange | { readonly kind: 'unhandled'; readonly reason: string } {
  const [object, action] = event.subscriptionType.split('.', 2);
  if (object === undefined || action === undefined || !Object.hasOwn(HUBSPOT_OBJECT_TYPES, object)) return { kind: 'unhandled', reason: `${event.subscriptionType} is not a company, contact or deal event` };
  const kind = object as HubspotObjectKind;
  if (action === 'merge') {
    // A merge may mint a new id for the survivor (`newObjectId`); the primary and the merged ids are then gone too.
    const survivor = event.newObjectId ?? event.primaryObjectId ?? event.objectId;
    if (survivor === undefined) return { kind: 'unhandled', reason: `${event.subscriptionType} names no surviving object` };
    const survivorId = String(survivor);
    const candidates = [...(event.mergedObjectIds ?? []), ...(event.primaryObjectId === undefined ? [] : [event.primaryObjectId])].map(String);
    const mergedIds = [...new Set(candidates)].filter((id) => id !== survivorId);
    if (mergedIds.length === 0) return { kind: 'unhandled', reason: `${event.subscriptionType} names no merged-away object` };
    // A deal merge needs no canonical merge: HubSpot deletes the merged-away deals (a deletion event each).
    if (kind === 'deal') return { kind: 'upsert', object: kind, id: survivorId };
    return { kind: 'merge', object: kind, survivorId, mergedIds };
  }
  // An association change names the record it was made from; it changes that record's links.
  const id = action === 'associationChange' ? (event.fromObjectId ?? event.objectId) : event.objectId;
  if (id === undefined) return { kind: 'unhandled', reason: `${event.subscriptionType} names no object` };
  if (action === 'deletion' || action === 'privacyDeletion') return { kind: 'delete', object: kind, id: String(id) };
  if (UPSERT_ACTIONS.has(action)) return { kind: 'upsert', object: kind, id: String(id) };
  return { kind: 'unhandled', reason: `${event.subscriptionType} is not handled` };
}
