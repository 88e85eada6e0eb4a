import type { CustomerDeleted } from '../../../events/customer-deleted';
import type { CustomerUpserted } from '../../../events/customer-upserted';
import { customerCandidate, customerPartnerWrite } from '../../domain/customer-to-partner';
import { isNewer, type WatermarkStore, watermarkOf } from '../../domain/watermark';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { type CrmWriteBackPorts, type ResolvedCustomer, writeBackCustomerIds } from '../crm-write-back';
import { archiveRecordPartner, type CustomerIdentityPorts, writeCustomerPartner } from '../customer-identity';

export interface CustomerSyncPorts extends CustomerIdentityPorts {
  readonly watermarks: WatermarkStore;
  /** The CRMs a CRM company this customer joins gets its ids written back to (crm-write-back.ts); without, none. */
  readonly crmWorkspaceOf?: CrmWriteBackPorts['crmWorkspaceOf'];
}

export type CustomerSyncOutcome =
  | { outcome: 'upserted'; partnerId: number }
  | { outcome: 'archived'; archived: boolean }
  | { outcome: 'stale'; watermark: string };

/**
 * Applies one customer event to Odoo, exactly once in effect:
 * - the entity's write lease keeps two events about one customer from writing at the same time;
 * - the watermark turns an older or repeated event into a no-op, whatever the delivery order;
 * - the customer resolves to its canonical customer (customer-identity.ts), whose one partner it writes — the same
 *   partner a CRM account of the same company writes — with the fields the billing side owns;
 * - the partner's external id makes a create that is repeated after a crash find the same partner;
 * - then its ids are written back onto the CRM companies of its customer (a billing customer joining a CRM company).
 */
export async function syncCustomer(event: CustomerUpserted | CustomerDeleted, ports: CustomerSyncPorts): Promise<CustomerSyncOutcome> {
  const { outcome, resolved } = await applyCustomer(event, ports);
  // Last, and on a stale event too (a retry after a failed write-back): the customer's CRM companies get its ids.
  // An event just applied hands over the customer and partner it wrote; a stale one has the write-back read them.
  const { crmWorkspaceOf } = ports;
  if (event.type === 'customer.upserted' && crmWorkspaceOf !== undefined) await writeBackCustomerIds({ ...ports, crmWorkspaceOf }, event.subject, resolved);
  return outcome;
}

async function applyCustomer(event: CustomerUpserted | CustomerDeleted, ports: CustomerSyncPorts): Promise<{ outcome: CustomerSyncOutcome; resolved?: ResolvedCustomer }> {
  const candidate = watermarkOf(event);
  return underWatermarkLease<{ outcome: CustomerSyncOutcome; resolved?: ResolvedCustomer }>(ports.watermarks, event.subject, event.id, async (current) => {
    if (!isNewer(candidate, current)) return { result: { outcome: { outcome: 'stale', watermark: current ?? candidate } } };
    if (event.type === 'customer.upserted') {
      const customer = event.data.customer;
      const resolved = await writeCustomerPartner(ports, { candidate: customerCandidate(customer), source: 'billing', ...customerPartnerWrite(customer) });
      return { result: { outcome: { outcome: 'upserted', partnerId: resolved.partnerId }, resolved }, commit: candidate };
    }
    return { result: { outcome: { outcome: 'archived', ...(await archiveRecordPartner(ports, event.subject, event.time)) } }, commit: candidate };
  });
}
