import type { SourceSystem } from '../../../events/envelope';
import type { BillingLedger } from '../../domain/billing-ledger';
import { customerExternalId } from '../../domain/customer-to-partner';
import type { IdentityMap } from '../../domain/identity-map';
import { DependencyMissingError } from '../../domain/invoice-errors';

const ODOO_PARTNER = { system: 'odoo', kind: 'res.partner' } as const;

/**
 * The Odoo partner of a provider customer that the customer flow has synced: identity map (0 Odoo calls),
 * else the partner's external id (1 call, then linked). Unknown → a retryable `DependencyMissingError`:
 * the customer event is on its way and the customer flow creates the partner; this flow never guesses one.
 *
 * Same lookup as billing-sync's `resolvePartner` without its last step (fetching the customer from the
 * provider): to merge there as an option.
 */
export async function knownPartner(
  ports: { identityMap: IdentityMap; ledger: Pick<BillingLedger, 'partnerByExternalId'> },
  party: { system: SourceSystem; customerId: string },
): Promise<number> {
  const key = `${party.system}:customer:${party.customerId}`;
  const known = await ports.identityMap.find(key, ODOO_PARTNER.system, ODOO_PARTNER.kind);
  if (known !== undefined) return Number(known);
  const partnerId = await ports.ledger.partnerByExternalId(customerExternalId({ system: party.system, id: party.customerId }));
  if (partnerId === undefined) throw new DependencyMissingError(`customer ${party.customerId} is not in Odoo yet (the customer flow syncs it first)`);
  await ports.identityMap.link(key, { ...ODOO_PARTNER, id: String(partnerId) });
  return partnerId;
}
