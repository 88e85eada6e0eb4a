import type { CustomerDeleted } from '../../../events/customer-deleted';
import type { CustomerUpserted } from '../../../events/customer-upserted';
import { customerCandidate, customerPartnerWrite } from '../../domain/customer-to-partner';
import { isNewer, type WatermarkStore, watermarkOf } from '../../domain/watermark';
import { archiveRecordPartner, type CustomerIdentityPorts, writeCustomerPartner } from '../customer-identity';

export interface CustomerSyncPorts extends CustomerIdentityPorts {
  readonly watermarks: WatermarkStore;
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
 * - the partner's external id makes a create that is repeated after a crash find the same partner.
 */
export async function syncCustomer(event: CustomerUpserted | CustomerDeleted, ports: CustomerSyncPorts): Promise<CustomerSyncOutcome> {
  const owner = event.id;
  const { watermark: current } = await ports.watermarks.acquire(event.subject, owner);
  const candidate = watermarkOf(event);
  let committed = false;
  try {
    if (!isNewer(candidate, current)) return { outcome: 'stale', watermark: current ?? candidate };

    let result: CustomerSyncOutcome;
    if (event.type === 'customer.upserted') {
      const customer = event.data.customer;
      const { partnerId } = await writeCustomerPartner(ports, { candidate: customerCandidate(customer), source: 'billing', ...customerPartnerWrite(customer) });
      result = { outcome: 'upserted', partnerId };
    } else {
      result = { outcome: 'archived', ...(await archiveRecordPartner(ports, event.subject, event.time)) };
    }
    await ports.watermarks.commit(event.subject, owner, candidate);
    committed = true;
    return result;
  } finally {
    // Stale, or failed before the commit: give the lease back so the next delivery need not wait for it to expire.
    // A failed release is harmless (the lease expires), and must not hide the error that got us here.
    if (!committed) await ports.watermarks.release(event.subject, owner).catch(() => undefined);
  }
}
