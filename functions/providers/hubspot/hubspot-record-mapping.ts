import type { AccountSnapshot, ContactSnapshot, DealLine, DealSnapshot } from '../../../events/crm-parts';
import type { RecordLink } from '../../../events/links';
import type { HubspotAssociation, HubspotRecord } from './hubspot-crm-api';
import { HubspotAmountError, hubspotMinorUnits } from './hubspot-currencies';

/**
 * HubSpot records (as the CRM API returns them: every property as text) → canonical CRM snapshots. The webhook's
 * enrichment and any later read use these same functions, so a record read is what its webhook would have carried.
 */

/** The properties each snapshot is made of: what the batch reads ask for, and nothing else. */
export const COMPANY_PROPERTIES = ['name', 'domain', 'website', 'phone', 'industry', 'lifecyclestage', 'address', 'address2', 'city', 'zip', 'state', 'country', 'hubspot_owner_id', 'hs_lastmodifieddate', 'stripe_customer_id'] as const;
export const CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'jobtitle', 'lifecyclestage', 'hubspot_owner_id', 'lastmodifieddate', 'associatedcompanyid'] as const;
export const DEAL_PROPERTIES = ['dealname', 'amount', 'deal_currency_code', 'pipeline', 'dealstage', 'hs_is_closed_won', 'hs_is_closed_lost', 'hs_is_closed', 'closedate', 'hubspot_owner_id', 'hs_lastmodifieddate'] as const;
export const LINE_ITEM_PROPERTIES = ['name', 'hs_sku', 'hs_product_id', 'quantity', 'price', 'amount'] as const;

/** HubSpot's default association type ids of a primary company (contact → company 1, deal → company 5). */
const PRIMARY_COMPANY_TYPE_IDS = new Set([1, 5]);

/** A record whose properties cannot make a valid snapshot (an amount with more decimals than its currency has, a negative quantity). */
export class MalformedHubspotRecordError extends Error {
  override name = 'MalformedHubspotRecordError';
}

export interface MappingContext {
  /** The portal the record lives in (the canonical ref's `account`). */
  readonly portalId: string;
  /** The portal's company currency: a deal without `deal_currency_code` is in it. */
  readonly companyCurrency: string;
}

const text = (record: HubspotRecord, name: string): string | null => {
  const value = record.properties[name];
  return value === undefined || value === null || value.trim() === '' ? null : value;
};

/** HubSpot writes instants as ISO text, some date properties as epoch milliseconds: both → ISO, anything else → null. */
function instant(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
}

const common = (record: HubspotRecord, context: MappingContext, modifiedProperty: string) => ({
  system: 'hubspot' as const,
  account: context.portalId,
  id: record.id,
  ownerId: text(record, 'hubspot_owner_id'),
  updatedAt: instant(record.updatedAt) ?? instant(text(record, modifiedProperty)),
});

export function companySnapshot(record: HubspotRecord, context: MappingContext): AccountSnapshot {
  const address = { line1: text(record, 'address'), line2: text(record, 'address2'), city: text(record, 'city'), postalCode: text(record, 'zip'), state: text(record, 'state'), country: text(record, 'country') };
  return {
    ...common(record, context, 'hs_lastmodifieddate'),
    name: text(record, 'name'),
    domain: text(record, 'domain'),
    website: text(record, 'website'),
    phone: text(record, 'phone'),
    industry: text(record, 'industry'),
    lifecycleStage: text(record, 'lifecyclestage'),
    address: Object.values(address).every((value) => value === null) ? null : address,
    links: companyLinksToBilling(record),
    taxId: null,
  };
}

/** The company property naming its Stripe customer (a custom property the portal defines; absent = no link). */
export const STRIPE_CUSTOMER_PROPERTY = 'stripe_customer_id';

function companyLinksToBilling(record: HubspotRecord): RecordLink[] {
  const stripeCustomer = text(record, STRIPE_CUSTOMER_PROPERTY)?.trim();
  return stripeCustomer ? [{ system: 'stripe', kind: 'customer', id: stripeCustomer }] : [];
}

/** The linked company ids, the primary first; the primary is the one HubSpot labels so (or names in a property). */
function companyLinks(associations: readonly HubspotAssociation[], primaryFromProperty: string | null): { accountIds: string[]; primaryAccountId: string | null } {
  const labelled = associations.find((link) => link.associationTypes.some((type) => type.label === 'Primary' || (type.category === 'HUBSPOT_DEFINED' && PRIMARY_COMPANY_TYPE_IDS.has(type.typeId ?? -1))));
  const primaryAccountId = labelled?.toObjectId ?? primaryFromProperty;
  const ids = [...new Set(associations.map((link) => link.toObjectId))];
  const accountIds = primaryAccountId === null ? ids : [primaryAccountId, ...ids.filter((id) => id !== primaryAccountId)];
  return { accountIds, primaryAccountId };
}

export function contactSnapshot(record: HubspotRecord, companies: readonly HubspotAssociation[], context: MappingContext): ContactSnapshot {
  return {
    ...common(record, context, 'lastmodifieddate'),
    firstName: text(record, 'firstname'),
    lastName: text(record, 'lastname'),
    email: text(record, 'email'),
    phone: text(record, 'phone'),
    jobTitle: text(record, 'jobtitle'),
    lifecycleStage: text(record, 'lifecyclestage'),
    ...companyLinks(companies, text(record, 'associatedcompanyid')),
  };
}

export interface DealRelations {
  readonly companies: readonly HubspotAssociation[];
  readonly contacts: readonly HubspotAssociation[];
  /** The deal's line items, read; a line item association whose record is gone is left out. */
  readonly lineItems: readonly HubspotRecord[];
}

export function dealSnapshot(record: HubspotRecord, relations: DealRelations, context: MappingContext): DealSnapshot {
  const currency = (text(record, 'deal_currency_code') ?? context.companyCurrency).toLowerCase();
  const amountText = text(record, 'amount');
  const isClosedWon = text(record, 'hs_is_closed_won') === 'true';
  // `hs_is_closed_lost` where the portal has it; else closed and not won.
  const isClosedLost = text(record, 'hs_is_closed_lost') === 'true' || (!isClosedWon && text(record, 'hs_is_closed') === 'true');
  return {
    ...common(record, context, 'hs_lastmodifieddate'),
    name: text(record, 'dealname'),
    pipeline: text(record, 'pipeline'),
    stage: text(record, 'dealstage'),
    isClosedWon,
    isClosedLost,
    amount: amountText === null ? null : money(amountText, currency, `deal ${record.id} amount`),
    currency,
    closeDate: instant(text(record, 'closedate')),
    ...companyLinks(relations.companies, null),
    contactIds: [...new Set(relations.contacts.map((link) => link.toObjectId))],
    lines: relations.lineItems.map((line) => dealLine(line, currency)),
  };
}

function dealLine(record: HubspotRecord, currency: string): DealLine {
  const quantity = text(record, 'quantity');
  if (quantity === null || !/^\d+(\.\d+)?$/.test(quantity.trim())) throw new MalformedHubspotRecordError(`line item ${record.id}: quantity ${JSON.stringify(quantity)} is not a non-negative decimal`);
  const price = text(record, 'price');
  if (price === null) throw new MalformedHubspotRecordError(`line item ${record.id} has no unit price`);
  const amount = text(record, 'amount');
  return {
    id: record.id,
    name: text(record, 'name'),
    sku: text(record, 'hs_sku'),
    productId: text(record, 'hs_product_id'),
    quantity: normalizedDecimal(quantity.trim()),
    unitAmount: money(price, currency, `line item ${record.id} price`),
    amount: amount === null ? null : money(amount, currency, `line item ${record.id} amount`),
  };
}

function money(value: string, currency: string, what: string): number {
  try {
    return hubspotMinorUnits(value.trim(), currency);
  } catch (error) {
    if (error instanceof HubspotAmountError) throw new MalformedHubspotRecordError(`${what}: ${error.message}`);
    throw error;
  }
}

/** `"10.0"` → `"10"`, `"1.50"` → `"1.5"`: one text per quantity, so equal quantities compare equal. */
function normalizedDecimal(value: string): string {
  if (!value.includes('.')) return value.replace(/^0+(?=\d)/, '');
  const [whole = '0', fraction = ''] = value.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  const integer = whole.replace(/^0+(?=\d)/, '');
  return trimmed === '' ? integer : `${integer}.${trimmed}`;
}
