import type { CallOptions, HubspotAssociation, HubspotCrmApi, HubspotRecord } from './hubspot-crm-api';
import { COMPANY_PROPERTIES, CONTACT_PROPERTIES, DEAL_PROPERTIES, LINE_ITEM_PROPERTIES } from './hubspot-record-mapping';

/** What enrichment needs of the CRM client: reads only. */
export type HubspotReader = Pick<HubspotCrmApi, 'batchRead' | 'batchAssociations'>;

/** The records of one webhook body, read at once, with the links their snapshots carry. */
export interface ReadRecords {
  readonly companies: ReadonlyMap<string, HubspotRecord>;
  readonly contacts: ReadonlyMap<string, HubspotRecord>;
  readonly contactCompanies: ReadonlyMap<string, HubspotAssociation[]>;
  readonly deals: ReadonlyMap<string, HubspotRecord>;
  readonly dealCompanies: ReadonlyMap<string, HubspotAssociation[]>;
  readonly dealContacts: ReadonlyMap<string, HubspotAssociation[]>;
  readonly dealLineItems: ReadonlyMap<string, HubspotAssociation[]>;
  readonly lineItems: ReadonlyMap<string, HubspotRecord>;
}

export interface RecordIds {
  readonly company: readonly string[];
  readonly contact: readonly string[];
  readonly deal: readonly string[];
}

const none = async <T>() => new Map<string, T>();

/**
 * Reads every record a body's events name, batched: one batch read per object type and one association batch read
 * per link (contact → companies, deal → companies, contacts, line items), then the deals' line items. A body holds
 * at most 100 events, so this is at most eight requests, whatever the body, and none for a type it does not name.
 */
export async function readRecords(reader: HubspotReader, named: RecordIds, call: CallOptions): Promise<ReadRecords> {
  // Several events of a body often name one record (a creation and its property changes): read it once.
  const ids = { company: [...new Set(named.company)], contact: [...new Set(named.contact)], deal: [...new Set(named.deal)] };
  const some = (list: readonly string[]) => list.length > 0;
  const [companies, contacts, contactCompanies, deals, dealCompanies, dealContacts, dealLineItems] = await Promise.all([
    some(ids.company) ? reader.batchRead('companies', ids.company, COMPANY_PROPERTIES, call) : none<HubspotRecord>(),
    some(ids.contact) ? reader.batchRead('contacts', ids.contact, CONTACT_PROPERTIES, call) : none<HubspotRecord>(),
    some(ids.contact) ? reader.batchAssociations('contacts', 'companies', ids.contact, call) : none<HubspotAssociation[]>(),
    some(ids.deal) ? reader.batchRead('deals', ids.deal, DEAL_PROPERTIES, call) : none<HubspotRecord>(),
    some(ids.deal) ? reader.batchAssociations('deals', 'companies', ids.deal, call) : none<HubspotAssociation[]>(),
    some(ids.deal) ? reader.batchAssociations('deals', 'contacts', ids.deal, call) : none<HubspotAssociation[]>(),
    some(ids.deal) ? reader.batchAssociations('deals', 'line_items', ids.deal, call) : none<HubspotAssociation[]>(),
  ]);
  const lineItemIds = [...new Set([...dealLineItems.values()].flatMap((links) => links.map((link) => link.toObjectId)))];
  const lineItems = some(lineItemIds) ? await reader.batchRead('line_items', lineItemIds, LINE_ITEM_PROPERTIES, call) : new Map<string, HubspotRecord>();
  return { companies, contacts, contactCompanies, deals, dealCompanies, dealContacts, dealLineItems, lineItems };
}
