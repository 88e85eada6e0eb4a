import type { CustomerSnapshot } from '../../events/customer-upserted';
import type { CustomerCandidate } from './customer-resolution';
import type { OwnedPartnerValues } from './field-ownership';
import type { PartnerValues, PartnerWrite } from './partner-gateway';

/** Odoo external id module of every record this project creates. */
export const EXTERNAL_ID_MODULE = 'saas_sync';

/** `saas_sync.<system>_customer_<id>`: the partner's external id, so a repeated create finds the same record. */
export function customerExternalId(customer: Pick<CustomerSnapshot, 'system' | 'id'>): string {
  return `${EXTERNAL_ID_MODULE}.${customer.system}_customer_${customer.id.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * The Odoo partner of a provider customer: a company partner (DESIGN.md, Odoo mapping) whose `ref` is
 * the provider id. Odoo requires a name; a customer without one is named after its email, then its id.
 * Odoo writes `false` for an empty field, so absent values become `false` rather than being left out
 * (a snapshot clears what the provider cleared).
 */
export function customerToPartner(customer: CustomerSnapshot): PartnerValues {
  const address = customer.address;
  return {
    name: nonEmpty(customer.name) ?? nonEmpty(customer.email) ?? `${customer.system} customer ${customer.id}`,
    email: nonEmpty(customer.email) ?? false,
    phone: nonEmpty(customer.phone) ?? false,
    ref: customer.id,
    street: nonEmpty(address?.line1) ?? false,
    street2: nonEmpty(address?.line2) ?? false,
    city: nonEmpty(address?.city) ?? false,
    zip: nonEmpty(address?.postalCode) ?? false,
    is_company: true,
  };
}

function nonEmpty(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** A billing customer as the one-customer resolution sees it (its key, its links, its match keys). */
export function customerCandidate(customer: CustomerSnapshot): CustomerCandidate {
  return { entityKey: `${customer.system}:customer:${customer.id}`, links: customer.links, taxId: customer.taxId, emails: [customer.email], websites: [] };
}

/**
 * A billing customer's partner values by the canonical field they carry (the ownership policy decides which are
 * written to a partner that exists): the same values as `customerToPartner`, and the VAT when the customer has one.
 */
export function customerPartnerWrite(customer: CustomerSnapshot): { values: OwnedPartnerValues; always: PartnerWrite; onCreate: PartnerWrite } {
  const { name, email, phone, ref, street, street2, city, zip, is_company } = customerToPartner(customer);
  const taxId = nonEmpty(customer.taxId);
  return {
    values: { legalName: { name }, email: { email }, phone: { phone }, billingAddress: { street, street2, city, zip }, ...(taxId ? { vat: { vat: taxId } } : {}) },
    always: { is_company },
    onCreate: { ref },
  };
}
