import type { SourceSystem } from '../../events/envelope';
import type { CustomerDirectory } from '../domain/customer-directory';
import { CANONICAL_CUSTOMER } from '../domain/customer-resolution';
import type { IdentityMap } from '../domain/identity-map';
import { DependencyMissingError } from '../domain/invoice-errors';
import { canonicalCustomer } from './customer-identity';
import { customerKey } from './known-partner';

export { CANONICAL_CUSTOMER };

/**
 * The canonical customer of a billing customer today: its link (`<system>:customer:<id>` → canonical id, made by the
 * one-customer resolution, flows/customer-identity.ts), followed through any later join to the survivor, so two
 * customers found to be one share one entitlement from then on. Not linked yet → a retryable
 * `DependencyMissingError`: the link is on its way; never guessed (a wrong guess would merge two customers'
 * entitlements).
 */
export async function canonicalCustomerOf(
  ports: { readonly identityMap: IdentityMap; readonly directory: CustomerDirectory },
  party: { system: SourceSystem; customerId: string },
): Promise<string> {
  const linked = await ports.identityMap.find(customerKey(party.system, party.customerId), CANONICAL_CUSTOMER.system, CANONICAL_CUSTOMER.kind);
  if (linked === undefined) throw new DependencyMissingError(`${customerKey(party.system, party.customerId)} has no canonical customer yet (the identity flow links it)`);
  return canonicalCustomer(ports.directory, linked);
}

/** `<desk>:organization:<id>`: the identity-map key of a support desk's organization, linked to its canonical customer. */
export const organizationKey = (system: SourceSystem, organizationId: string): string => `${system}:organization:${organizationId}`;
