import type { SourceSystem } from '../../events/envelope';
import type { IdentityMap } from '../domain/identity-map';
import { DependencyMissingError } from '../domain/invoice-errors';
import { customerKey } from './known-partner';

/** The canonical customer as the identity map links it: `{ system: 'saas_sync', kind: 'customer', id }`. */
export const CANONICAL_CUSTOMER = { system: 'saas_sync', kind: 'customer' } as const;

/**
 * The canonical customer of a billing customer (`<system>:customer:<id>` → its canonical id), which the identity
 * flow links. Not linked yet → a retryable `DependencyMissingError`: the link is on its way; never guessed (a wrong
 * guess would merge two customers' entitlements).
 */
export async function canonicalCustomerOf(identityMap: IdentityMap, party: { system: SourceSystem; customerId: string }): Promise<string> {
  const canonical = await identityMap.find(customerKey(party.system, party.customerId), CANONICAL_CUSTOMER.system, CANONICAL_CUSTOMER.kind);
  if (canonical === undefined) throw new DependencyMissingError(`${customerKey(party.system, party.customerId)} has no canonical customer yet (the identity flow links it)`);
  return canonical;
}

/** `<desk>:organization:<id>`: the identity-map key of a support desk's organization, linked to its canonical customer. */
export const organizationKey = (system: SourceSystem, organizationId: string): string => `${system}:organization:${organizationId}`;
