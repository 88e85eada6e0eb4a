import type { AccountSnapshot, ContactSnapshot } from '../../events/crm-parts';
import { entityKey } from '../../events/envelope';
import type { CustomerCandidate } from './customer-resolution';
import type { OwnedPartnerValues } from './field-ownership';
import type { PartnerWrite } from './partner-gateway';

/**
 * CRM accounts and contacts → Odoo partners. An account is its canonical customer's company partner (shared with the
 * billing customers of the same company, each side writing the fields it owns); a contact is a child partner of its
 * account's partner, owned by the CRM. Absent values become `false` (a snapshot clears what the CRM cleared).
 */

const textOr = (value: string | null | undefined): string | false => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : false;
};

export const accountKey = (account: Pick<AccountSnapshot, 'system' | 'id'>): string => entityKey(account.system, 'account', account.id);
export const contactKey = (contact: Pick<ContactSnapshot, 'system' | 'id'>): string => entityKey(contact.system, 'contact', contact.id);

/** An account as the one-customer resolution sees it; `mergedIds` (accounts merged into it) are proof, like links. */
export function accountCandidate(account: AccountSnapshot, mergedIds: readonly string[] = []): CustomerCandidate {
  return {
    entityKey: accountKey(account),
    links: [...account.links, ...mergedIds.map((id) => ({ system: account.system, kind: 'account', id }))],
    taxId: account.taxId,
    emails: [],
    websites: [account.domain, account.website],
  };
}

/** An account's partner values by the canonical field they carry. */
export function accountPartnerWrite(account: AccountSnapshot): { values: OwnedPartnerValues; always: PartnerWrite } {
  const address = account.address;
  const taxId = textOr(account.taxId);
  return {
    values: {
      legalName: { name: textOr(account.name) || `${account.system} account ${account.id}` },
      phone: { phone: textOr(account.phone) },
      website: { website: textOr(account.website) || (account.domain ? `https://${account.domain}` : false) },
      billingAddress: { street: textOr(address?.line1), street2: textOr(address?.line2), city: textOr(address?.city), zip: textOr(address?.postalCode) },
      ...(taxId ? { vat: { vat: taxId } } : {}),
    },
    always: { is_company: true },
  };
}

/**
 * The one account a contact goes under in Odoo, whose `parent_id` holds one company: the CRM's primary one; with none
 * marked, the lowest id of those linked, so that a re-read listing them in another order never moves the contact.
 * Its other accounts are not written to Odoo (README, "CRM into Odoo"): the CRM keeps those links.
 */
export function contactAccountId(contact: ContactSnapshot): string | undefined {
  if (contact.primaryAccountId !== null) return contact.primaryAccountId;
  // Numeric ids by value, fixed-length ones as text: shorter first, then character by character.
  return [...contact.accountIds].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))[0];
}

/** `saas_sync.<system>_contact_<id>`: the contact partner's external id. */
export function contactExternalId(contact: Pick<ContactSnapshot, 'system' | 'id'>): string {
  return `saas_sync.${contact.system}_contact_${contact.id.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** A contact's child partner (`parentId` its account's partner; false: a person without a company). */
export function contactToPartner(contact: ContactSnapshot, parentId: number | false): PartnerWrite {
  const fullName = [contact.firstName, contact.lastName].map((part) => part?.trim()).filter(Boolean).join(' ');
  return {
    name: fullName || textOr(contact.email) || `${contact.system} contact ${contact.id}`,
    email: textOr(contact.email),
    phone: textOr(contact.phone),
    function: textOr(contact.jobTitle),
    parent_id: parentId,
    is_company: false,
  };
}
