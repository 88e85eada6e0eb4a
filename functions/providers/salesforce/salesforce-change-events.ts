import * as z from 'zod/mini';

/**
 * Change Data Capture events as Event Relay puts them on the org's partner event bus: an EventBridge event whose
 * `detail-type` is the event name (`AccountChangeEvent`) and whose `detail.payload` is the change event, its
 * `ChangeEventHeader` and the fields it carries. Read tolerantly: Salesforce adds header fields and Event Relay may
 * add keys next to `payload` (schema id, event id).
 */

/** A Salesforce record id: 15 or 18 letters and digits (also what makes an id safe inside a SOQL `IN (…)`). */
export const salesforceIdSchema = z.string().check(z.regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/));

export const changeEventHeaderSchema = z.looseObject({
  entityName: z.string().check(z.minLength(1)),
  changeType: z.string().check(z.minLength(1)),
  /** The records of the change: several when Salesforce merged the same change of several records into one event. */
  recordIds: z.array(salesforceIdSchema),
  /** `com/salesforce/api/rest/62.0;client=<name>`: the API and the client name a write carried (`Sforce-Call-Options`). */
  changeOrigin: z.optional(z.nullable(z.string())),
  /** With `sequenceNumber`, what identifies the event: the same change delivered again has the same two. */
  transactionKey: z.string().check(z.minLength(1)),
  sequenceNumber: z.number().check(z.int(), z.nonnegative()),
  /** When the change was committed, epoch ms: the watermark. */
  commitTimestamp: z.number().check(z.int(), z.positive()),
  changedFields: z.optional(z.array(z.string())),
});
export type ChangeEventHeader = z.infer<typeof changeEventHeaderSchema>;

export const changeEventPayloadSchema = z.looseObject({ ChangeEventHeader: changeEventHeaderSchema });
export type ChangeEventPayload = z.infer<typeof changeEventPayloadSchema>;

/** The EventBridge event of an Event Relay delivery (what the rule hands the ingest function). */
export const relayedChangeEventSchema = z.looseObject({
  id: z.optional(z.string()),
  'detail-type': z.string(),
  source: z.string(),
  detail: z.looseObject({ payload: changeEventPayloadSchema }),
});
export type RelayedChangeEvent = z.infer<typeof relayedChangeEventSchema>;

/** The entities the ingest maps (their change events are `<entity>ChangeEvent`). */
export const SALESFORCE_ENTITIES = ['Account', 'Contact', 'Opportunity', 'OpportunityLineItem'] as const;
export type SalesforceEntity = (typeof SALESFORCE_ENTITIES)[number];
/** The `detail-type`s the stack's rule lets through: one per mapped entity. */
export const SALESFORCE_CHANGE_EVENT_TYPES = SALESFORCE_ENTITIES.map((entity) => `${entity}ChangeEvent`);

export function isSalesforceEntity(name: string): name is SalesforceEntity {
  return (SALESFORCE_ENTITIES as readonly string[]).includes(name);
}

/** `transactionKey:sequenceNumber`: what a re-delivered event keeps (the commit number is unique per instance only). */
export function salesforceDedupeKey(header: ChangeEventHeader): string {
  return `${header.transactionKey}:${header.sequenceNumber}`;
}

/** The client name in `changeOrigin` (`…;client=odoo-saas-sync`), if the writer set one. */
export function changeOriginClient(header: ChangeEventHeader): string | undefined {
  const match = /(?:^|;)\s*client=([^;]*)/.exec(header.changeOrigin ?? '');
  const client = match?.[1]?.trim();
  return client === undefined || client === '' ? undefined : client;
}

/**
 * What a change type asks of the ingest. `GAP_*` events say that a record changed without saying how (Salesforce could
 * not build the event): they carry no fields, so the record is read. `GAP_OVERFLOW` (a transaction of more than
 * 100,000 changes) may name no record at all.
 */
export type ChangeKind = 'created' | 'changed' | 'deleted';
export function changeKindOf(changeType: string): ChangeKind | undefined {
  switch (changeType) {
    case 'CREATE':
      return 'created';
    case 'UPDATE':
    case 'UNDELETE':
    case 'GAP_CREATE':
    case 'GAP_UPDATE':
    case 'GAP_UNDELETE':
    case 'GAP_OVERFLOW':
      return 'changed';
    case 'DELETE':
    case 'GAP_DELETE':
      return 'deleted';
    default:
      return undefined;
  }
}
