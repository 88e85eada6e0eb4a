import { type CanonicalEvent, currentVersionOf } from '../../../events/catalog';
import { entityKey } from '../../../events/envelope';
import { describeIssue } from '../../platform/validation-issues';
import { type ChangeEventHeader, type ChangeEventPayload, changeKindOf, changeOriginClient, isSalesforceEntity, relayedChangeEventSchema, type SalesforceEntity, salesforceDedupeKey, salesforceIdSchema } from './salesforce-change-events';
import { accountFieldsToRead, accountSnapshot, CONTACT_FIELDS, contactSnapshot, dealSnapshot, lineItemFields, MalformedSalesforceRecordError, type MappingContext, opportunityFields, recordFromChangePayload } from './salesforce-record-mapping';
import type { SalesforceRecord, SalesforceRestApi } from './salesforce-rest-api';

/** What the ingest needs of the REST client: reads only. */
export type SalesforceReader = Pick<SalesforceRestApi, 'retrieve' | 'query'>;

export interface SalesforceIngestSettings extends MappingContext {
  /** Whether the org has multiple currencies enabled (`CurrencyIsoCode` is then read). */
  readonly multiCurrency: boolean;
  /** Our client name (`Sforce-Call-Options: client=…`): a change it made is our own write coming back, dropped. */
  readonly ownClientName: string | undefined;
  readonly reader: SalesforceReader;
}

export interface ChangeAbout {
  /** `transactionKey:sequenceNumber`. */
  readonly id: string;
  /** `Account UPDATE`. */
  readonly type: string;
  readonly records: number;
}

/** Why a record of a change (or a whole change) became no canonical event; each is counted. */
export interface SkippedChange {
  readonly outcome: 'Ignored' | 'DroppedOwnWrite' | 'Unreadable';
  readonly reason: string;
}

export type ChangeTranslation =
  /** Not a change event at all (a rule matching more than it should): nothing to retry. */
  | { readonly kind: 'not-a-change'; readonly issue: string }
  /** A record no snapshot can hold: set aside whole with the reason, never half-published. */
  | { readonly kind: 'set-aside'; readonly about: ChangeAbout; readonly reason: string }
  | { readonly kind: 'mapped'; readonly about: ChangeAbout; readonly events: CanonicalEvent[]; readonly skipped: SkippedChange[] };

/**
 * One Event Relay delivery (one change event) → the canonical events of its records. A change names one record or
 * several (Salesforce merges the same change of several records into one event): one canonical event each.
 *
 * - CREATE carries the whole record: mapped from the payload (an opportunity's lines are queried);
 * - UPDATE carries the changed fields only, `GAP_*` none: the records are read (`composite/sobjects`), so a snapshot
 *   is always the whole record; so is an UNDELETE's (a record restored from the Recycle Bin: `account.upserted`,
 *   which brings its archived Odoo partner back);
 * - DELETE of an account or contact: the deleted rows are asked for their `MasterRecordId` (`queryAll`): one set
 *   is a merge, the survivor is read and `*.merged` published with the ids merged into it; else `*.deleted`;
 * - an opportunity line item's change is its opportunity's: that opportunity is read whole, with its lines.
 *
 * Ids: `salesforce:<transactionKey>:<sequenceNumber>[:<recordId>]:<type>` — the record id when the change names
 * several records (or names the deal through a line item), so that a re-delivered change maps to the same ids.
 * `time` is `commitTimestamp`, the watermark consumers order by. A read that fails throws: the caller fails the
 * invocation, and the delivery is retried.
 */
export async function translateSalesforceChange(event: unknown, settings: SalesforceIngestSettings): Promise<ChangeTranslation> {
  const parsed = relayedChangeEventSchema.safeParse(event);
  if (!parsed.success) return { kind: 'not-a-change', issue: describeIssue(parsed.error.issues[0]) };
  const payload = parsed.data.detail.payload;
  const header = payload.ChangeEventHeader;
  const about: ChangeAbout = { id: salesforceDedupeKey(header), type: `${header.entityName} ${header.changeType}`, records: header.recordIds.length };
  const skipped: SkippedChange[] = [];
  const done = (events: CanonicalEvent[] = []): ChangeTranslation => ({ kind: 'mapped', about, events, skipped });

  const client = changeOriginClient(header);
  if (settings.ownClientName !== undefined && client === settings.ownClientName) {
    skipped.push({ outcome: 'DroppedOwnWrite', reason: `written by our client ${client} (${header.changeOrigin ?? ''})` });
    return done();
  }
  if (!isSalesforceEntity(header.entityName)) {
    skipped.push({ outcome: 'Ignored', reason: `${header.entityName} changes are not synced` });
    return done();
  }
  const kind = changeKindOf(header.changeType);
  if (kind === undefined) {
    skipped.push({ outcome: 'Ignored', reason: `change type ${header.changeType} is not one the ingest knows` });
    return done();
  }
  if (header.recordIds.length === 0) {
    // GAP_OVERFLOW of a transaction too big to list: only a reconciliation can say what changed.
    skipped.push({ outcome: 'Unreadable', reason: `${header.changeType} of ${header.entityName} names no record: reconcile the entity` });
    return done();
  }

  const mapper = new ChangeMapper(header, settings, skipped);
  try {
    return done(await mapper.map(header.entityName, kind, payload));
  } catch (error) {
    if (error instanceof MalformedSalesforceRecordError) return { kind: 'set-aside', about, reason: error.message };
    throw error;
  }
}

type CanonicalType = CanonicalEvent['type'];
const KIND_OF: Record<Exclude<SalesforceEntity, 'OpportunityLineItem'>, 'account' | 'contact' | 'deal'> = { Account: 'account', Contact: 'contact', Opportunity: 'deal' };

class ChangeMapper {
  private readonly key: string;
  private readonly context: MappingContext;

  constructor(
    private readonly header: ChangeEventHeader,
    private readonly settings: SalesforceIngestSettings,
    private readonly skipped: SkippedChange[],
  ) {
    this.key = salesforceDedupeKey(header);
    this.context = { orgId: settings.orgId, corporateCurrency: settings.corporateCurrency, ...(settings.accountFields === undefined ? {} : { accountFields: settings.accountFields }) };
  }

  async map(entity: SalesforceEntity, kind: 'created' | 'changed' | 'deleted', payload: ChangeEventPayload): Promise<CanonicalEvent[]> {
    const ids = [...new Set(this.header.recordIds)];
    if (entity === 'OpportunityLineItem') return this.dealsOfLineItems(ids, kind, payload);
    if (kind === 'deleted') return entity === 'Opportunity' ? ids.map((id) => this.deleted('deal', id)) : this.deletedOrMerged(entity, ids);
    // CREATE carries every field of the record (the same for each record it names); anything else is read.
    const records = kind === 'created' ? new Map(ids.map((id) => [id, recordFromChangePayload(payload, id)])) : await this.read(entity, ids);
    const events: CanonicalEvent[] = [];
    const deals = entity === 'Opportunity' ? await this.linesOf([...records.values()]) : undefined;
    for (const id of ids) {
      const record = records.get(id);
      if (record === undefined) {
        this.skipped.push({ outcome: 'Ignored', reason: `${entity} ${id} is no longer at Salesforce (deleted since the change; its DELETE event follows)` });
        continue;
      }
      if (entity === 'Account') events.push(this.envelope('account.upserted', 'account', id, { account: accountSnapshot(record, this.context) }));
      else if (entity === 'Contact') events.push(this.envelope('contact.upserted', 'contact', id, { contact: contactSnapshot(record, this.context) }));
      else events.push(this.envelope('deal.upserted', 'deal', id, { deal: dealSnapshot(record, deals?.get(id) ?? [], this.context) }));
    }
    return events;
  }

  /** A change of line items is a change of their opportunities' deals: each read whole, once, with all its lines. */
  private async dealsOfLineItems(lineIds: readonly string[], kind: 'created' | 'changed' | 'deleted', payload: ChangeEventPayload): Promise<CanonicalEvent[]> {
    let opportunityIds: string[];
    const fromPayload = payload['OpportunityId'];
    if (kind === 'created' && typeof fromPayload === 'string') opportunityIds = [fromPayload];
    else {
      // `queryAll` finds deleted line items too, with the opportunity they belonged to.
      const rows = await this.settings.reader.query(`SELECT Id, OpportunityId FROM OpportunityLineItem WHERE Id IN (${soqlIds(lineIds)})`, { includeDeleted: true });
      opportunityIds = rows.map((row) => row['OpportunityId']).filter((id): id is string => typeof id === 'string');
      const found = new Set(rows.map((row) => row.Id));
      for (const id of lineIds.filter((line) => !found.has(line))) this.skipped.push({ outcome: 'Ignored', reason: `OpportunityLineItem ${id} is not at Salesforce, even deleted: its opportunity is unknown` });
    }
    const unique = [...new Set(opportunityIds)];
    if (unique.length === 0) return [];
    const opportunities = await this.read('Opportunity', unique);
    const lines = await this.linesOf([...opportunities.values()]);
    return unique.flatMap((id) => {
      const record = opportunities.get(id);
      if (record === undefined) {
        this.skipped.push({ outcome: 'Ignored', reason: `Opportunity ${id} of the changed line items is no longer at Salesforce` });
        return [];
      }
      // Always the opportunity's id in the event id: a line item's change is not the opportunity's own event.
      return [this.envelope('deal.upserted', 'deal', id, { deal: dealSnapshot(record, lines.get(id) ?? [], this.context) }, true)];
    });
  }

  /** Deleted accounts or contacts: those a merge deleted (a `MasterRecordId`) → the survivor merged; the others deleted. */
  private async deletedOrMerged(entity: 'Account' | 'Contact', ids: readonly string[]): Promise<CanonicalEvent[]> {
    const rows = await this.settings.reader.query(`SELECT Id, MasterRecordId FROM ${entity} WHERE Id IN (${soqlIds(ids)})`, { includeDeleted: true });
    const survivorOf = new Map(rows.flatMap((row) => (typeof row['MasterRecordId'] === 'string' ? [[row.Id, row['MasterRecordId']] as const] : [])));
    const kind = KIND_OF[entity];
    const events: CanonicalEvent[] = ids.filter((id) => !survivorOf.has(id)).map((id) => this.deleted(kind, id));
    const mergedInto = new Map<string, string[]>();
    for (const [loser, survivor] of survivorOf) mergedInto.set(survivor, [...(mergedInto.get(survivor) ?? []), loser]);
    if (mergedInto.size === 0) return events;
    const survivors = await this.read(entity, [...mergedInto.keys()]);
    for (const [survivorId, mergedIds] of mergedInto) {
      const record = survivors.get(survivorId);
      if (record === undefined) {
        // The survivor is gone too (merged again, or deleted): what was merged into it is deleted as far as we know.
        events.push(...mergedIds.map((id) => this.deleted(kind, id)));
        continue;
      }
      const merged = [...mergedIds].sort();
      if (entity === 'Account') events.push(this.envelope('account.merged', 'account', survivorId, { account: accountSnapshot(record, this.context), mergedIds: merged }));
      else events.push(this.envelope('contact.merged', 'contact', survivorId, { contact: contactSnapshot(record, this.context), mergedIds: merged }));
    }
    return events;
  }

  private deleted(kind: 'account' | 'contact' | 'deal', id: string): CanonicalEvent {
    const ref = { system: 'salesforce' as const, account: this.settings.orgId, id };
    if (kind === 'account') return this.envelope('account.deleted', kind, id, { account: ref });
    if (kind === 'contact') return this.envelope('contact.deleted', kind, id, { contact: ref });
    return this.envelope('deal.deleted', kind, id, { deal: ref });
  }

  private read(entity: 'Account' | 'Contact' | 'Opportunity', ids: readonly string[]): Promise<Map<string, SalesforceRecord>> {
    const fields = entity === 'Account' ? accountFieldsToRead(this.context) : entity === 'Contact' ? CONTACT_FIELDS : opportunityFields(this.settings.multiCurrency);
    return this.settings.reader.retrieve(entity, ids, fields);
  }

  /** The line items of opportunities, by opportunity (none asked for one that says it has none). */
  private async linesOf(opportunities: readonly SalesforceRecord[]): Promise<Map<string, SalesforceRecord[]>> {
    const ids = opportunities.filter((record) => record['HasOpportunityLineItem'] !== false).map((record) => record.Id);
    const byOpportunity = new Map<string, SalesforceRecord[]>();
    if (ids.length === 0) return byOpportunity;
    const fields = ['Id', ...lineItemFields(this.settings.multiCurrency)].join(', ');
    for (const line of await this.settings.reader.query(`SELECT ${fields} FROM OpportunityLineItem WHERE OpportunityId IN (${soqlIds(ids)})`)) {
      const opportunityId = line['OpportunityId'];
      if (typeof opportunityId === 'string') byOpportunity.set(opportunityId, [...(byOpportunity.get(opportunityId) ?? []), line]);
    }
    return byOpportunity;
  }

  private envelope<Type extends CanonicalType>(type: Type, kind: 'account' | 'contact' | 'deal', recordId: string, data: Extract<CanonicalEvent, { type: Type }>['data'], alwaysNameRecord = false): CanonicalEvent {
    const fannedOut = alwaysNameRecord || this.header.recordIds.length > 1;
    const key = fannedOut ? `${this.key}:${recordId}` : this.key;
    return {
      id: `salesforce:${key}:${type}`,
      type,
      source: 'salesforce',
      subject: entityKey('salesforce', kind, recordId),
      time: new Date(this.header.commitTimestamp).toISOString(),
      correlationId: `salesforce:${this.key}`,
      causationId: this.key,
      // The catalog's current version of the type (accounts are at v2, with links and tax id).
      dataVersion: currentVersionOf(type),
      data,
    } as CanonicalEvent;
  }
}

/** `'001…','001…'` for a SOQL `IN (…)`: every id checked to be a Salesforce id first, so nothing else reaches the query. */
function soqlIds(ids: readonly string[]): string {
  return ids
    .map((id) => {
      if (!salesforceIdSchema.safeParse(id).success) throw new MalformedSalesforceRecordError(`${JSON.stringify(id)} is not a Salesforce id`);
      return `'${id}'`;
    })
    .join(',');
}
