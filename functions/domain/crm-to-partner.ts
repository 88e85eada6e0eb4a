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

/** The account a contact belongs to in Odoo: the CRM's primary one, else the first linked. */
export function contactAccountId(contact: ContactSnapshot): string | undefined {
  return contact.primaryAccountId ?? contact.accountIds[0];
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
