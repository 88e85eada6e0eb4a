import type { CustomerDeleted } from '../../../events/customer-deleted';
import type { CustomerUpserted } from '../../../events/customer-upserted';
import { customerExternalId, customerToPartner } from '../../domain/customer-to-partner';
import type { IdentityMap } from '../../domain/identity-map';
import type { PartnerGateway } from '../../domain/partner-gateway';
import { isNewer, type WatermarkStore, watermarkOf } from '../../domain/watermark';
import { ODOO_PARTNER } from '../known-partner';

export interface CustomerSyncPorts {
  readonly partners: PartnerGateway;
  readonly identityMap: IdentityMap;
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
 * - the partner's external id makes a create that is repeated after a crash find the same partner;
 * - the identity map spares the Odoo lookup for a customer seen before.
 */
export async function syncCustomer(event: CustomerUpserted | CustomerDeleted, ports: CustomerSyncPorts): Promise<CustomerSyncOutcome> {
  const owner = event.id;
  const { watermark: current } = await ports.watermarks.acquire(event.subject, owner);
  const candidate = watermarkOf(event);
  let committed = false;
  try {
    if (!isNewer(candidate, current)) return { outcome: 'stale', watermark: current ?? candidate };

    const externalId = customerExternalId(event.data.customer);
    const known = await ports.identityMap.find(event.subject, ODOO_PARTNER.system, ODOO_PARTNER.kind);
    const knownId = known === undefined ? undefined : Number(known);

    let result: CustomerSyncOutcome;
    if (event.type === 'customer.upserted') {
      const { id } = await ports.partners.upsert(externalId, customerToPartner(event.data.customer), knownId);
      if (id !== knownId) await ports.identityMap.link(event.subject, { ...ODOO_PARTNER, id: String(id) });
      result = { outcome: 'upserted', partnerId: id };
    } else {
      result = { outcome: 'archived', ...(await ports.partners.archive(externalId, knownId)) };
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
