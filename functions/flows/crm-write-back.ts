import type { SourceSystem } from '../../events/envelope';
import type { CrmWorkspace } from '../domain/crm-workspace';
import type { CustomerDirectory } from '../domain/customer-directory';
import type { IdentityMap } from '../domain/identity-map';
import { absorbedCustomers, canonicalCustomer, isRecordKey, partnerOfCustomer, recordWasDeleted } from './customer-identity';

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

/**
 * Writes the ids of the customer `recordKey` resolved to onto each of that customer's CRM companies. Nothing when
 * the record has no customer or its customer no partner yet (the flow that makes it writes back then).
 */
export async function writeBackCustomerIds(ports: CrmWriteBackPorts, recordKey: string): Promise<CrmWriteBack> {
  const holder = await ports.directory.holderOf(recordKey);
  if (holder === undefined) return { companies: [] };
  const customerId = await canonicalCustomer(ports.directory, holder);
  const odooPartnerId = await partnerOfCustomer(ports.identityMap, customerId);
  if (odooPartnerId === undefined) return { companies: [] };

  const records = await recordKeysOf(ports.directory, customerId);
  const live = await filterAsync(records, async (key) => !(await recordWasDeleted(ports.identityMap, key)));
  // One billing customer is written: the first live one in key order, so every run picks the same.
  const billingCustomer = live.map(parseKey).find((key) => key.kind === BILLING_CUSTOMER_KIND);
  const written: string[] = [];
  for (const key of live.map(parseKey)) {
    if (key.kind !== CRM_COMPANY_KIND) continue;
    const workspace = ports.crmWorkspaceOf(key.system);
    if (workspace === undefined) continue;
    await workspace.recordCompanyLinks(key.id, { odooPartnerId, customerId, ...(billingCustomer === undefined ? {} : { billingCustomerId: billingCustomer.id }) });
    written.push(key.key);
  }
  return { companies: written };
}

/** The record keys (`<system>:<kind>:<id>`) a customer holds, with those of the customers joined into it, sorted. */
async function recordKeysOf(directory: CustomerDirectory, customerId: string): Promise<string[]> {
  const records = new Set<string>();
  for (const customer of [customerId, ...(await absorbedCustomers(directory, customerId))]) {
    for (const key of await directory.keysOf(customer)) if (isRecordKey(key)) records.add(key);
  }
  return [...records].sort();
}

function parseKey(key: string): { key: string; system: SourceSystem; kind: string; id: string } {
  const [system = '', kind = ''] = key.split(':', 2);
  return { key, system: system as SourceSystem, kind, id: key.slice(system.length + kind.length + 2) };
}

async function filterAsync<T>(items: readonly T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
  const kept: T[] = [];
  for (const item of items) if (await keep(item)) kept.push(item);
  return kept;
}
