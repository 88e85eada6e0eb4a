import type { SourceSystem } from '../../events/envelope';
import type { BillingLedger } from '../domain/billing-ledger';
import { customerExternalId } from '../domain/customer-to-partner';
import type { IdentityMap } from '../domain/identity-map';
import { DependencyMissingError } from '../domain/invoice-errors';

export const ODOO_PARTNER = { system: 'odoo', kind: 'res.partner' } as const;

/** `<system>:customer:<id>`: the identity-map key of a provider customer. */
export const customerKey = (system: SourceSystem, id: string): string => `${system}:customer:${id}`;

export interface PartnerLookupPorts {
  readonly identityMap: IdentityMap;
  readonly ledger: Pick<BillingLedger, 'partnerByExternalId'>;
}

/**
 * The Odoo partner of a provider customer, if Odoo has it: identity map (0 Odoo calls), else the partner's
 * external id (1 call, then linked so the next event needs none).
 */
export async function findPartner(ports: PartnerLookupPorts, party: { system: SourceSystem; customerId: string }): Promise<number | undefined> {
  const key = customerKey(party.system, party.customerId);
  const known = await ports.identityMap.find(key, ODOO_PARTNER.system, ODOO_PARTNER.kind);
  if (known !== undefined) return Number(known);
  const partnerId = await ports.ledger.partnerByExternalId(customerExternalId({ system: party.system, id: party.customerId }));
  if (partnerId !== undefined) await ports.identityMap.link(key, { ...ODOO_PARTNER, id: String(partnerId) });
  return partnerId;
}

/**
 * The Odoo partner of a customer the customer flow has synced. Unknown → a retryable
 * `DependencyMissingError`: the customer event is on its way; this flow never guesses a partner.
 * (billing-sync's `resolvePartner` fetches the customer from the provider instead.)
 */
export async function knownPartner(ports: PartnerLookupPorts, party: { system: SourceSystem; customerId: string }): Promise<number> {
  const partnerId = await findPartner(ports, party);
  if (partnerId === undefined) throw new DependencyMissingError(`customer ${party.customerId} is not in Odoo yet (the customer flow syncs it first)`);
  return partnerId;
}
