import * as z from 'zod/mini';

/**
 * How the one-customer resolution and the field ownership behave, per deployment (stage config → the flows'
 * `IDENTITY_CONFIG` environment variable, JSON). README "One customer across systems" documents each setting.
 */

/** The evidence the resolution may use, in the order it trusts it (a rule left out is not used). */
export const resolutionRuleSchema = z.enum(['explicitLink', 'taxId', 'domain']);
export type ResolutionRule = z.infer<typeof resolutionRuleSchema>;

/** Who a write comes from: a billing customer, a CRM record. `odoo`: nobody overwrites it once the partner exists. */
export const fieldOwnerSchema = z.enum(['billing', 'crm', 'odoo']);
export type FieldOwner = z.infer<typeof fieldOwnerSchema>;
export type WriteSource = Exclude<FieldOwner, 'odoo'>;

/** The canonical partner fields whose owner the policy names. */
export const OWNED_FIELDS = ['legalName', 'email', 'billingAddress', 'vat', 'currency', 'phone', 'industry', 'website', 'salesOwner', 'lifecycleStage', 'contacts'] as const;
export type OwnedField = (typeof OWNED_FIELDS)[number];

export const identityConfigSchema = z.strictObject({
  resolution: z.array(resolutionRuleSchema),
  /** Email domains that name a mail provider, not a company: never a match key. */
  freeMailDomains: z.array(z.string().check(z.minLength(3))),
  /** Which system owns each canonical partner field (a field left out is owned by billing). */
  fieldOwners: z.partialRecord(z.enum(OWNED_FIELDS), fieldOwnerSchema),
  /**
   * When a later explicit link shows that two customers with an Odoo partner each are one company: `merge` the
   * partners with Odoo's partner-merge wizard, or flag them for `review` (a note in both partners' chatter).
   */
  onDuplicatePartners: z.enum(['merge', 'review']),
});
export type IdentityConfig = z.infer<typeof identityConfigSchema>;

/** The defaults (README): links, then VAT, then domain; billing owns what invoices need, the CRM what sales does. */
export const DEFAULT_IDENTITY_CONFIG: IdentityConfig = {
  resolution: ['explicitLink', 'taxId', 'domain'],
  freeMailDomains: [
    'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'hotmail.com', 'hotmail.fr', 'outlook.com', 'live.com', 'msn.com',
    'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.de', 'gmx.net', 'gmx.com', 'web.de', 't-online.de',
    'mail.com', 'yandex.ru', 'yandex.com', 'mail.ru', 'qq.com', '163.com', '126.com', 'orange.fr', 'free.fr', 'laposte.net', 'libero.it', 'zoho.com', 'fastmail.com',
    // Documentation placeholders (RFC 2606): unrelated sample and test records share them; they name no company.
    'example.com', 'example.org', 'example.net',
  ],
  fieldOwners: {
    legalName: 'billing',
    email: 'billing',
    billingAddress: 'billing',
    vat: 'billing',
    currency: 'billing',
    phone: 'crm',
    industry: 'crm',
    website: 'crm',
    salesOwner: 'crm',
    lifecycleStage: 'crm',
    contacts: 'crm',
  },
  onDuplicatePartners: 'merge',
};

/** The owner of a field under the policy (billing when the policy does not name one). */
export function ownerOf(config: IdentityConfig, field: OwnedField): FieldOwner {
  return config.fieldOwners[field] ?? 'billing';
}
