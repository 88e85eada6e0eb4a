import type { RecordLink } from '../../events/links';
import type { IdentityConfig } from './identity-config';

/**
 * The pure rules of the one-customer resolution: which keys a record can be recognised by, in the order the stage
 * trusts them. The claiming (who got a key first) is functions/flows/customer-identity.ts over the
 * `CustomerDirectory` port.
 */

/** The identity-map "system" of canonical customers: `{system:'saas_sync', kind:'customer', id}`. */
export const CANONICAL_CUSTOMER = { system: 'saas_sync', kind: 'customer' } as const;

/** `saas_sync:customer:<id>`: the identity-map key of a canonical customer (its Odoo partner link, its forward when merged). */
export const canonicalCustomerKey = (customerId: string): string => `${CANONICAL_CUSTOMER.system}:${CANONICAL_CUSTOMER.kind}:${customerId}`;

/**
 * The id of a customer first seen as `entityKey` (`<system>:<kind>:<id>` → `<system>_<kind>_<id>`): deterministic,
 * so a retried resolution mints the same id, and for a billing customer the same name its partner always had
 * (`saas_sync.<system>_customer_<id>`).
 */
export function customerIdFor(entityKey: string): string {
  return entityKey.replace(/:/g, '_').replace(/[^A-Za-z0-9_]/g, '_');
}

/** The Odoo external id of a canonical customer's partner. */
export const customerPartnerExternalId = (customerId: string): string => `saas_sync.${customerId}`;

/** What a record offers the resolution. */
export interface CustomerCandidate {
  /** The record's own identity-map key (`<system>:<kind>:<id>`). */
  readonly entityKey: string;
  readonly links: readonly RecordLink[];
  readonly taxId: string | null;
  /** Email addresses of the record (their domain is a match key unless a free-mail one). */
  readonly emails: readonly (string | null)[];
  /** Web domains or URLs of the record. */
  readonly websites: readonly (string | null)[];
}

/** A key the resolution claims: an explicit link is proof, a match key (VAT, domain) evidence. */
export interface ResolutionKey {
  readonly key: string;
  readonly evidence: 'explicit' | 'match';
}

/** The key of a linked record: its own identity-map key, the key it claims when it resolves itself. */
export const linkKey = (link: RecordLink): string => `${link.system}:${link.kind}:${link.id}`;

/** Upper-case letters and digits only (`de 123.456.789` → `DE123456789`); empty → null. */
export function normalizeTaxId(taxId: string | null): string | null {
  const normalized = (taxId ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
  return normalized.length >= 4 ? normalized : null;
}

/** `https://www.Acme.example/about` or `acme.example` → `acme.example`; not a domain → null. */
export function normalizeDomain(website: string | null): string | null {
  const host = (website ?? '').trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split(/[/?#:]/)[0]?.replace(/^www\./, '').replace(/\.$/, '');
  return host && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : null;
}

/** The domain of an email address, null for none or a free-mail one. */
export function companyEmailDomain(email: string | null, freeMailDomains: readonly string[]): string | null {
  const at = (email ?? '').lastIndexOf('@');
  if (at < 0) return null;
  const domain = normalizeDomain(email!.slice(at + 1));
  return domain && !freeMailDomains.includes(domain) ? domain : null;
}

/** The keys of a record, in the stage's resolution order, without repeats. */
export function resolutionKeys(candidate: CustomerCandidate, config: IdentityConfig): ResolutionKey[] {
  const keys: ResolutionKey[] = [];
  const add = (key: string, evidence: ResolutionKey['evidence']) => {
    if (key !== candidate.entityKey && !keys.some((known) => known.key === key)) keys.push({ key, evidence });
  };
  const freeMail = config.freeMailDomains.map((domain) => domain.toLowerCase());
  for (const rule of config.resolution) {
    if (rule === 'explicitLink') for (const link of candidate.links) add(linkKey(link), 'explicit');
    if (rule === 'taxId') {
      const taxId = normalizeTaxId(candidate.taxId);
      if (taxId) add(`match:vat:${taxId}`, 'match');
    }
    if (rule === 'domain') {
      const domains = [...candidate.websites.map(normalizeDomain), ...candidate.emails.map((email) => companyEmailDomain(email, freeMail))];
      for (const domain of domains) if (domain && !freeMail.includes(domain)) add(`match:domain:${domain}`, 'match');
    }
  }
  return keys;
}
