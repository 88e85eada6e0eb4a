import type { OdooCaller } from './odoo-caller';

/**
 * Account standing as partner tags (`res.partner.category`). Each is 1 call (`write` with a
 * many2many command), idempotent: adding a present tag or removing an absent one changes nothing.
 */

/** `(4, id)`: link. 1 call. */
export async function addPartnerTag(odoo: OdooCaller, partnerId: number, tagId: number): Promise<void> {
  await odoo.call('res.partner', 'write', { ids: [partnerId], vals: { category_id: [[4, tagId]] } });
}

/** `(3, id)`: unlink (the tag itself stays). 1 call. */
export async function removePartnerTag(odoo: OdooCaller, partnerId: number, tagId: number): Promise<void> {
  await odoo.call('res.partner', 'write', { ids: [partnerId], vals: { category_id: [[3, tagId]] } });
}
