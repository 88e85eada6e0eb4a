import * as z from 'zod/mini';
import { currencySchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { sourceSystemSchema } from './envelope';
import { recordLinksSchema, taxIdSchema } from './links';

/**
 * Building blocks of the CRM events (accounts, contacts, deals). Every snapshot is the record as the CRM holds it
 * when it was read, never a patch: a CRM's webhook names what changed, the ingest reads the record, so a consumer
 * never merges partial updates. Money is an integer in the currency's minor units, as in the billing events.
 */

const text = () => z.nullable(z.string());

/** Where a CRM record lives: the CRM, its account there (a portal, an org) and the record's id. */
export const crmRecordShape = {
  system: sourceSystemSchema,
  /** The CRM account the record belongs to (HubSpot portal id, Salesforce org id). */
  account: providerIdSchema,
  id: providerIdSchema,
};
export const crmRecordRefSchema = z.strictObject(crmRecordShape);
export type CrmRecordRef = z.infer<typeof crmRecordRefSchema>;

/** A postal address as typed into the CRM: free text, the country too (no CRM guarantees an ISO code). */
export const crmAddressSchema = z.strictObject({
  line1: text(),
  line2: text(),
  city: text(),
  postalCode: text(),
  state: text(),
  country: text(),
});

/** What every CRM snapshot carries besides its fields. */
const snapshotCommon = {
  ...crmRecordShape,
  /** The CRM user who owns the record (sales owner), by the CRM's id. */
  ownerId: text(),
  /** When the CRM last changed the record, as it says: null when it does not say. */
  updatedAt: z.nullable(instantSchema),
};

/** A company: the account a deal is sold to and contacts work for. */
export const accountSnapshotSchema = z.strictObject({
  ...snapshotCommon,
  name: text(),
  /** The company's primary web domain (`example.com`), as the CRM normalizes it. */
  domain: text(),
  website: text(),
  phone: text(),
  industry: text(),
  lifecycleStage: text(),
  address: z.nullable(crmAddressSchema),
  /** Since account v2: the billing customers (or Odoo partner) the CRM says the company is, from its configured properties. */
  links: recordLinksSchema,
  /** Since account v2: the company's VAT / tax id, when the CRM holds one. */
  taxId: taxIdSchema,
});
export type AccountSnapshot = z.infer<typeof accountSnapshotSchema>;

/** A person, with the accounts the CRM links them to. */
export const contactSnapshotSchema = z.strictObject({
  ...snapshotCommon,
  firstName: text(),
  lastName: text(),
  email: text(),
  phone: text(),
  jobTitle: text(),
  lifecycleStage: text(),
  /** Every account the contact is linked to, by id; the primary one first when the CRM marks one. */
  accountIds: z.array(providerIdSchema),
  /** The account the CRM marks as the contact's primary company, when it marks one. */
  primaryAccountId: z.nullable(providerIdSchema),
});
export type ContactSnapshot = z.infer<typeof contactSnapshotSchema>;

/** A line of a deal: what is sold, how many, at which exact unit price. */
export const dealLineSchema = z.strictObject({
  id: providerIdSchema,
  name: text(),
  /** The product's SKU, the first key a consumer maps a line to an ERP product with. */
  sku: text(),
  /** The CRM's product (or price book entry) the line was made from, for a configured price mapping. */
  productId: text(),
  /** Exact decimal text (`"3"`, `"1.5"`): CRMs allow fractional quantities. */
  quantity: z.string().check(z.regex(/^\d+(\.\d+)?$/)),
  unitAmount: minorAmountSchema,
  /** The line's net amount as the CRM computes it (after its discounts), null when the CRM gives none. */
  amount: z.nullable(minorAmountSchema),
});
export type DealLine = z.infer<typeof dealLineSchema>;

/** An opportunity: amount, stage and outcome, the account it is sold to, its lines. */
export const dealSnapshotSchema = z.strictObject({
  ...snapshotCommon,
  name: text(),
  /** Pipeline and stage ids as the CRM names them (ids differ per pipeline: read the outcome from the flags). */
  pipeline: text(),
  stage: text(),
  /** The CRM's own verdict, never derived from a stage label. */
  isClosedWon: z.boolean(),
  isClosedLost: z.boolean(),
  /** The deal's amount, null when none is set; `currency` is set whenever `amount` is. */
  amount: z.nullable(minorAmountSchema),
  currency: z.nullable(currencySchema),
  closeDate: z.nullable(instantSchema),
  accountIds: z.array(providerIdSchema),
  primaryAccountId: z.nullable(providerIdSchema),
  contactIds: z.array(providerIdSchema),
  lines: z.array(dealLineSchema),
});
export type DealSnapshot = z.infer<typeof dealSnapshotSchema>;

/** The records a merge folded into the survivor: they no longer exist in the CRM. */
export const mergedIdsSchema = z.array(providerIdSchema).check(z.minLength(1), z.describe('ids merged into the survivor, gone from the CRM'));
