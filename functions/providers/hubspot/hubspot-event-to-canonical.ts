import type { CanonicalEvent } from '../../../events/catalog';
import { entityKey } from '../../../events/envelope';
import { mapped, type MappingResult } from '../../platform/webhook-receiver';
import type { ReadRecords } from './hubspot-enrichment';
import { type HubspotChange, hubspotDedupeKey, type HubspotEvent, type HubspotObjectKind } from './hubspot-events';
import { companySnapshot, contactSnapshot, dealSnapshot, type MappingContext } from './hubspot-record-mapping';

/** HubSpot's object kinds → the canonical kinds (subjects and event types). */
const CANONICAL_KIND = { company: 'account', contact: 'contact', deal: 'deal' } as const satisfies Record<HubspotObjectKind, string>;

/**
 * One HubSpot event, with the records its body's enrichment read → its one canonical event. The canonical id is
 * HubSpot's dedupe key (portal, subscription, event id, time: a retried delivery maps to the same id, which the
 * flows' idempotency keys on); `time` is `occurredAt`, the watermark; the snapshot is the record as read now, so a
 * late delivery of an old event still carries today's record and its older watermark makes a consumer skip it.
 *
 * A record the read did not find was deleted since the event: not mapped (its deletion event follows).
 */
export function hubspotEventToCanonical(event: HubspotEvent, change: HubspotChange, records: ReadRecords, context: MappingContext): MappingResult {
  const key = hubspotDedupeKey(event);
  const kind = CANONICAL_KIND[change.object];
  const recordId = change.kind === 'merge' ? change.survivorId : change.id;
  const envelope = <Type extends CanonicalEvent['type']>(type: Type) => ({
    id: `hubspot:${key}:${type}`,
    type,
    source: 'hubspot' as const,
    subject: entityKey('hubspot', kind, recordId),
    time: new Date(event.occurredAt).toISOString(),
    correlationId: `hubspot:${key}`,
    causationId: key,
    dataVersion: 1 as const,
  });
  // account.upserted / account.merged are at v2 (links, tax id); every other CRM event still at v1.
  const accountEnvelope = <Type extends 'account.upserted' | 'account.merged'>(type: Type) => ({ ...envelope(type), dataVersion: 2 as const });
  const gone: MappingResult = { handled: false, reason: `${change.object} ${recordId} is no longer at HubSpot (deleted since the event)` };

  if (change.kind === 'delete') {
    const ref = { system: 'hubspot' as const, account: context.portalId, id: change.id };
    if (change.object === 'company') return mapped({ ...envelope('account.deleted'), data: { account: ref } });
    if (change.object === 'contact') return mapped({ ...envelope('contact.deleted'), data: { contact: ref } });
    return mapped({ ...envelope('deal.deleted'), data: { deal: ref } });
  }

  switch (change.object) {
    case 'company': {
      const record = records.companies.get(recordId);
      if (record === undefined) return gone;
      const account = companySnapshot(record, context);
      return change.kind === 'merge'
        ? mapped({ ...accountEnvelope('account.merged'), data: { account, mergedIds: [...change.mergedIds] } })
        : mapped({ ...accountEnvelope('account.upserted'), data: { account } });
    }
    case 'contact': {
      const record = records.contacts.get(recordId);
      if (record === undefined) return gone;
      const contact = contactSnapshot(record, records.contactCompanies.get(recordId) ?? [], context);
      return change.kind === 'merge'
        ? mapped({ ...envelope('contact.merged'), data: { contact, mergedIds: [...change.mergedIds] } })
        : mapped({ ...envelope('contact.upserted'), data: { contact } });
    }
    case 'deal': {
      const record = records.deals.get(recordId);
      if (record === undefined) return gone;
      const lineItems = (records.dealLineItems.get(recordId) ?? []).flatMap((link) => {
        const line = records.lineItems.get(link.toObjectId);
        return line === undefined ? [] : [line];
      });
      const relations = { companies: records.dealCompanies.get(recordId) ?? [], contacts: records.dealContacts.get(recordId) ?? [], lineItems };
      return mapped({ ...envelope('deal.upserted'), data: { deal: dealSnapshot(record, relations, context) } });
    }
  }
}
