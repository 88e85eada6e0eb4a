import type { SourceSystem } from '../../events/envelope';
import type { CrmWorkspace } from '../domain/crm-workspace';
import type { CustomerDirectory } from '../domain/customer-directory';
import type { IdentityMap } from '../domain/identity-map';
import { canonicalCustomer, customerKeys, isRecordKey, partnerOfCustomer, recordWasDeleted } from './customer-identity';

/**
 * The write-back (README "Write-back, without loops"): the ids the integration knows of a company — its Odoo
 * partner, its billing customer, its canonical customer — written onto the company in every CRM it lives in, so
 * that sales sees them where it works.
 *
 * It runs after a CRM company's partner is written (crm-sync) and after a billing customer is (customer-sync): the
 * second is how a billing customer that joins a CRM company gets its id onto that company. It reads everything from
 * the directory and the identity map, so it can run again at any time (a retried or stale event) and writes the same
 * ids; the workspaces write only what differs. It cannot loop: the CRM reports our write with our app or client as
 * its source, which the ingest drops and counts; and were such an event to come through, the company it names
 * resolves to the same customer, whose ids are on it already: nothing is written.
 */

export interface CrmWriteBackPorts {
  readonly directory: CustomerDirectory;
  readonly identityMap: IdentityMap;
  /** The workspace of a CRM the function may write to; undefined for a system that is not one, or not the stage's. */
  readonly crmWorkspaceOf: (system: SourceSystem) => CrmWorkspace | undefined;
}

export interface CrmWriteBack {
  /** The CRM companies written to (`<system>:account:<id>`); none when the customer has no partner yet or no CRM company. */
  readonly companies: readonly string[];
}

/** The kind of a CRM company's key, and of a billing customer's. */
const CRM_COMPANY_KIND = 'account';
const BILLING_CUSTOMER_KIND = 'customer';

/** The customer a record was just resolved to and the partner just written for it (writeCustomerPartner's answer). */
export interface ResolvedCustomer {
  readonly customerId: string;
  readonly partnerId: number;
}

/**
 * Writes the ids of the customer `recordKey` resolved to onto each of that customer's CRM companies. Nothing when
 * the record has no customer or its customer no partner yet (the flow that makes it writes back then). A flow that
 * has just written the record's partner passes what it resolved (`resolved`), so the customer and its partner are not
 * read again; a retried or stale event reads them.
 */
export async function writeBackCustomerIds(ports: CrmWriteBackPorts, recordKey: string, resolved?: ResolvedCustomer): Promise<CrmWriteBack> {
  const customer = resolved ?? (await customerOfRecord(ports, recordKey));
  if (customer === undefined) return { companies: [] };
  const { customerId, partnerId: odooPartnerId } = customer;

  const records = (await recordKeysOf(ports.directory, customerId)).map(parseKey);
  // Only a CRM company of a workspace the function is given is written to: a customer without one (a billing
  // customer alone, the usual case) costs no read of its records' states.
  const companies = records.filter((key) => key.kind === CRM_COMPANY_KIND && ports.crmWorkspaceOf(key.system) !== undefined);
  if (companies.length === 0) return { companies: [] };
  const billingCustomers = records.filter((key) => key.kind === BILLING_CUSTOMER_KIND);
  // The states of the records that matter, read at once (one round trip, not one per record).
  const deleted = new Set<string>();
  await Promise.all(
    [...companies, ...billingCustomers].map(async ({ key }) => {
      if (await recordWasDeleted(ports.identityMap, key)) deleted.add(key);
    }),
  );
  // One billing customer is written: the first live one in key order, so every run picks the same.
  const billingCustomer = billingCustomers.find(({ key }) => !deleted.has(key));
  const written: string[] = [];
  for (const company of companies) {
    if (deleted.has(company.key)) continue;
    await ports.crmWorkspaceOf(company.system)!.recordCompanyLinks(company.id, { odooPartnerId, customerId, ...(billingCustomer === undefined ? {} : { billingCustomerId: billingCustomer.id }) });
    written.push(company.key);
  }
  return { companies: written };
}

/** The customer a record resolved to and that customer's partner, read from the directory and the identity map. */
async function customerOfRecord(ports: CrmWriteBackPorts, recordKey: string): Promise<ResolvedCustomer | undefined> {
  const holder = await ports.directory.holderOf(recordKey);
  if (holder === undefined) return undefined;
  const customerId = await canonicalCustomer(ports.directory, holder);
  const partnerId = await partnerOfCustomer(ports.identityMap, customerId);
  return partnerId === undefined ? undefined : { customerId, partnerId };
}

/** The record keys (`<system>:<kind>:<id>`) a customer holds, with those of the customers joined into it, sorted. */
async function recordKeysOf(directory: CustomerDirectory, customerId: string): Promise<string[]> {
  const records = new Set<string>();
  for (const key of (await customerKeys(directory, customerId)).keys) if (isRecordKey(key)) records.add(key);
  return [...records].sort();
}

function parseKey(key: string): { key: string; system: SourceSystem; kind: string; id: string } {
  const [system = '', kind = ''] = key.split(':', 2);
  return { key, system: system as SourceSystem, kind, id: key.slice(system.length + kind.length + 2) };
}
