import type { AccountSnapshot, ContactSnapshot, DealLine, DealSnapshot } from '../../../events/crm-parts';
import type { RecordLink } from '../../../events/links';
import { SalesforceAmountError, salesforceMinorUnits } from './salesforce-currencies';
import type { SalesforceRecord } from './salesforce-rest-api';

/**
 * Salesforce records → canonical CRM snapshots. A record comes from a REST read (field → JSON value, dates as ISO
 * text) or from a CREATE change event's payload, flattened to the same shape first (`recordFromChangePayload`), so
 * a record read is what its change event would have carried.
 */

/** The fields each snapshot is made of: what the reads ask for, and nothing else. */
export const ACCOUNT_FIELDS = ['Name', 'Website', 'Phone', 'Industry', 'Type', 'BillingStreet', 'BillingCity', 'BillingPostalCode', 'BillingState', 'BillingCountry', 'OwnerId', 'LastModifiedDate'] as const;
export const CONTACT_FIELDS = ['FirstName', 'LastName', 'Email', 'Phone', 'Title', 'AccountId', 'OwnerId', 'LastModifiedDate'] as const;
const OPPORTUNITY_BASE_FIELDS = ['Name', 'StageName', 'IsClosed', 'IsWon', 'Amount', 'CloseDate', 'AccountId', 'ContactId', 'OwnerId', 'LastModifiedDate', 'HasOpportunityLineItem'] as const;
const LINE_ITEM_BASE_FIELDS = ['OpportunityId', 'Name', 'ProductCode', 'Product2Id', 'PricebookEntryId', 'Quantity', 'UnitPrice', 'TotalPrice'] as const;

/** `CurrencyIsoCode` exists only in a multi-currency org: asking a single-currency org for it is a 400 (INVALID_FIELD). */
export function opportunityFields(multiCurrency: boolean): string[] {
  return multiCurrency ? [...OPPORTUNITY_BASE_FIELDS, 'CurrencyIsoCode'] : [...OPPORTUNITY_BASE_FIELDS];
}
export function lineItemFields(multiCurrency: boolean): string[] {
  return multiCurrency ? [...LINE_ITEM_BASE_FIELDS, 'CurrencyIsoCode'] : [...LINE_ITEM_BASE_FIELDS];
}

/** A record whose fields cannot make a valid snapshot (an amount finer than its currency, a negative quantity). */
export class MalformedSalesforceRecordError extends Error {
  override name = 'MalformedSalesforceRecordError';
}

/**
 * The org's own Account fields (the stage's `salesforce.accountFields`): standard Accounts name no other system's
 * record and hold no VAT, so an org keeps them in fields of its own.
 */
export interface SalesforceAccountFields {
  /** Each field holding the company's customer id in a billing system (`Stripe_Customer_Id__c` → `stripe`). */
  readonly links: Readonly<Record<string, 'stripe' | 'paypal'>>;
  /** The field holding the company's VAT / tax id. */
  readonly taxId?: string;
}

export interface MappingContext {
  /** The org the records live in (the canonical ref's `account`). */
  readonly orgId: string;
  /** The org's corporate currency (ISO 4217, lower case): every amount of a single-currency org is in it. */
  readonly corporateCurrency: string;
  /** Absent: the org has none configured (an account's `links` empty, its `taxId` null). */
  readonly accountFields?: SalesforceAccountFields;
}

/** What an Account read asks for: the snapshot's standard fields and the org's own link and tax id fields. */
export function accountFieldsToRead(context: Pick<MappingContext, 'accountFields'>): string[] {
  const own = [...Object.keys(context.accountFields?.links ?? {}), ...(context.accountFields?.taxId === undefined ? [] : [context.accountFields.taxId])];
  return [...new Set([...ACCOUNT_FIELDS, ...own])];
}

/**
 * A change event's payload → the record as a REST read returns it: compound fields flattened (`Name.FirstName` →
 * `FirstName`, `BillingAddress.City` → `BillingCity`), the header left out, `Id` set to the record it is about.
 */
export function recordFromChangePayload(payload: Readonly<Record<string, unknown>>, id: string): SalesforceRecord {
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(payload)) {
    if (field === 'ChangeEventHeader') continue;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      // Name (FirstName, LastName, Salutation…) and addresses (Street, City…) are the compound fields a snapshot reads.
      const prefix = field === 'Name' ? '' : field.endsWith('Address') ? field.slice(0, -'Address'.length) : undefined;
      if (prefix === undefined) continue;
      for (const [part, partValue] of Object.entries(value as Record<string, unknown>)) record[`${prefix}${part}`] = partValue;
      continue;
    }
    record[field] = value;
  }
  return { ...record, Id: id };
}

const text = (record: SalesforceRecord, field: string): string | null => {
  const value = record[field];
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : null;
};

/** REST dates are ISO text (`2024-04-09T20:19:25.000+0000`, a date field `2022-05-31`); change events carry epoch ms. */
function instant(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value).toISOString() : null;
  if (typeof value !== 'string' || value === '') return null;
  // `+0000` is Salesforce's offset; Date.parse wants `+00:00`.
  const time = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
}

const common = (record: SalesforceRecord, context: MappingContext) => ({
  system: 'salesforce' as const,
  account: context.orgId,
  id: record.Id,
  ownerId: text(record, 'OwnerId'),
  updatedAt: instant(record['LastModifiedDate']),
});

/** `https://www.Acme.example/about` → `acme.example`: the web domain a snapshot's `domain` is (Salesforce keeps only the Website text). */
function domainOf(website: string | null): string | null {
  if (website === null) return null;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(website) ? website : `https://${website.trim()}`);
    const host = url.hostname.toLowerCase().replace(/^www\./, '');
    return host.includes('.') ? host : null;
  } catch {
    return null;
  }
}

export function accountSnapshot(record: SalesforceRecord, context: MappingContext): AccountSnapshot {
  const [line1 = null, ...more] = (text(record, 'BillingStreet') ?? '').split(/\r?\n/).filter((line) => line.trim() !== '');
  const address = { line1, line2: more.length > 0 ? more.join(', ') : null, city: text(record, 'BillingCity'), postalCode: text(record, 'BillingPostalCode'), state: text(record, 'BillingState'), country: text(record, 'BillingCountry') };
  const website = text(record, 'Website');
  return {
    ...common(record, context),
    name: text(record, 'Name'),
    domain: domainOf(website),
    website,
    links: billingLinks(record, context),
    taxId: context.accountFields?.taxId === undefined ? null : text(record, context.accountFields.taxId)?.trim() || null,
    phone: text(record, 'Phone'),
    industry: text(record, 'Industry'),
    // An account's Type (Prospect, Customer – Direct…) is where Salesforce keeps what HubSpot calls a lifecycle stage.
    lifecycleStage: text(record, 'Type'),
    address: Object.values(address).every((value) => value === null) ? null : address,
  };
}

/** The billing customers the org's link fields name, in field order (an empty field links nothing). */
function billingLinks(record: SalesforceRecord, context: MappingContext): RecordLink[] {
  return Object.entries(context.accountFields?.links ?? {}).flatMap(([field, system]) => {
    const id = text(record, field)?.trim();
    return id ? [{ system, kind: 'customer', id }] : [];
  });
}

export function contactSnapshot(record: SalesforceRecord, context: MappingContext): ContactSnapshot {
  // A contact belongs to one account (AccountId); contacts related to more accounts (AccountContactRelation) are not read.
  const accountId = text(record, 'AccountId');
  return {
    ...common(record, context),
    firstName: text(record, 'FirstName'),
    lastName: text(record, 'LastName'),
    email: text(record, 'Email'),
    phone: text(record, 'Phone'),
    jobTitle: text(record, 'Title'),
    lifecycleStage: null,
    accountIds: accountId === null ? [] : [accountId],
    primaryAccountId: accountId,
  };
}

export function dealSnapshot(record: SalesforceRecord, lineItems: readonly SalesforceRecord[], context: MappingContext): DealSnapshot {
  const currency = (text(record, 'CurrencyIsoCode') ?? context.corporateCurrency).toLowerCase();
  const accountId = text(record, 'AccountId');
  const contactId = text(record, 'ContactId');
  const isClosed = record['IsClosed'] === true;
  const isClosedWon = record['IsWon'] === true;
  const amount = record['Amount'];
  return {
    ...common(record, context),
    name: text(record, 'Name'),
    // Salesforce has no pipelines: a stage is its StageName, the outcome its IsWon / IsClosed flags, never the label.
    pipeline: null,
    stage: text(record, 'StageName'),
    isClosedWon,
    isClosedLost: isClosed && !isClosedWon,
    amount: amount === null || amount === undefined ? null : money(amount, currency, `opportunity ${record.Id} Amount`),
    currency,
    closeDate: instant(record['CloseDate']),
    accountIds: accountId === null ? [] : [accountId],
    primaryAccountId: accountId,
    contactIds: contactId === null ? [] : [contactId],
    lines: [...lineItems].sort((a, b) => a.Id.localeCompare(b.Id)).map((line) => dealLine(line, currency)),
  };
}

function dealLine(record: SalesforceRecord, currency: string): DealLine {
  const quantity = record['Quantity'];
  const quantityText = typeof quantity === 'number' && Number.isFinite(quantity) ? String(quantity) : typeof quantity === 'string' ? quantity.trim() : '';
  if (!/^\d+(\.\d+)?$/.test(quantityText)) throw new MalformedSalesforceRecordError(`opportunity line item ${record.Id}: Quantity ${JSON.stringify(quantity)} is not a non-negative decimal`);
  const unitPrice = record['UnitPrice'];
  if (unitPrice === null || unitPrice === undefined) throw new MalformedSalesforceRecordError(`opportunity line item ${record.Id} has no UnitPrice`);
  const total = record['TotalPrice'];
  return {
    id: record.Id,
    name: text(record, 'Name'),
    sku: text(record, 'ProductCode'),
    productId: text(record, 'Product2Id') ?? text(record, 'PricebookEntryId'),
    quantity: normalizedDecimal(quantityText),
    unitAmount: money(unitPrice, currency, `opportunity line item ${record.Id} UnitPrice`),
    amount: total === null || total === undefined ? null : money(total, currency, `opportunity line item ${record.Id} TotalPrice`),
  };
}

function money(value: unknown, currency: string, what: string): number {
  if (typeof value !== 'number' && typeof value !== 'string') throw new MalformedSalesforceRecordError(`${what}: ${JSON.stringify(value)} is not an amount`);
  try {
    return salesforceMinorUnits(value, currency);
  } catch (error) {
    if (error instanceof SalesforceAmountError) throw new MalformedSalesforceRecordError(`${what}: ${error.message}`);
    throw error;
  }
}

/** `"10.0"` → `"10"`, `"1.50"` → `"1.5"`: one text per quantity, so equal quantities compare equal. */
function normalizedDecimal(value: string): string {
  const [whole = '0', fraction = ''] = value.split('.');
  const integer = whole.replace(/^0+(?=\d)/, '');
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed === '' ? integer : `${integer}.${trimmed}`;
}
