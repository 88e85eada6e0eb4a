import { beforeAll, describe, expect, it } from 'vitest';
import { OdooClient } from '../../functions/erp/odoo/odoo-client';
import { resetDatabaseGuards } from '../../functions/erp/odoo/database-guards';
import { OdooPartnerGateway } from '../../functions/erp/odoo/partner-gateway';
import { OdooPartnerMerger } from '../../functions/erp/odoo/partner-merger';
import type { CustomerCandidate } from '../../functions/domain/customer-resolution';
import { writeCustomerPartner } from '../../functions/flows/customer-identity';
import { inMemoryIdentityPorts } from '../support/in-memory-ports';

/**
 * Two customers found to be one company, on a real Odoo: the partners merged by Odoo's own wizard
 * (`base.partner.merge.automatic.wizard`) — the invoice and the contact of the absorbed partner now on the survivor,
 * the absorbed partner gone, the identity map relinked — or, configured so, both flagged with a chatter note.
 * The cases run on the real Odoo `connection()` gives once its suite has started it (the CRM identity story's on
 * Odoo 18 and 19: no server of their own). The Odoo sandbox has no merge wizard.
 */
export function partnerMergerCases(connection: () => { url: string; database: string; login: string; apiKey: string }): void {
  describe('partner merges of one company, with Odoo’s own wizard', () => {
    let odoo: OdooClient;

    beforeAll(() => {
      const real = connection();
      resetDatabaseGuards();
      odoo = new OdooClient({
        connection: { url: real.url, database: real.database, login: real.login, ratePerSecond: 1000, timeoutMs: 60_000 },
        apiKey: { get: async () => real.apiKey, invalidate: () => undefined },
      });
    });

    const account = (id: string): CustomerCandidate => ({ entityKey: `hubspot:account:${id}`, links: [], taxId: null, emails: [], websites: [] });
    const billing = (id: string, links: CustomerCandidate['links'] = []): CustomerCandidate => ({ entityKey: `stripe:customer:${id}`, links, taxId: null, emails: [], websites: [] });
    const write = (candidate: CustomerCandidate, source: 'crm' | 'billing', name: string, email: string) => ({ candidate, source, values: { legalName: { name }, email: { email } }, always: { is_company: true } });

    async function twoPartnersOfOneCompany(suffix: string, onDuplicatePartners: 'merge' | 'review') {
      const partners = new OdooPartnerGateway(odoo);
      const ports = { ...inMemoryIdentityPorts({ partners, identity: { onDuplicatePartners } }), merger: new OdooPartnerMerger(odoo) };
      const crm = await writeCustomerPartner(ports, write(account(`crm${suffix}`), 'crm', `Merge Co ${suffix} (CRM)`, `sales-${suffix}@merge-co.test`));
      const bill = await writeCustomerPartner(ports, write(billing(`cus_${suffix}`), 'billing', `Merge Co ${suffix}`, `billing-${suffix}@merge-co.test`));
      expect(bill.partnerId).not.toBe(crm.partnerId);
      // The CRM partner has a contact and a draft invoice: both must survive the merge, on the survivor.
      const [contactId] = await odoo.call<number[]>('res.partner', 'create', { vals_list: [{ name: `Contact ${suffix}`, parent_id: crm.partnerId }] });
      const [invoiceId] = await odoo.call<number[]>('account.move', 'create', { vals_list: [{ move_type: 'out_invoice', partner_id: crm.partnerId, invoice_line_ids: [[0, 0, { name: 'Seat', quantity: 1, price_unit: 10 }]] }] });
      // Later the billing customer names the CRM company: one company.
      const linked = await writeCustomerPartner(ports, write(billing(`cus_${suffix}`, [{ system: 'hubspot', kind: 'account', id: `crm${suffix}` }]), 'billing', `Merge Co ${suffix}`, `billing-${suffix}@merge-co.test`));
      return { ports, crm, bill, linked, contactId: contactId!, invoiceId: invoiceId! };
    }

    it('merges with Odoo’s wizard: the absorbed partner’s contact and invoice move to the survivor, the absorbed is gone, the map relinked', async () => {
      const { ports, crm, bill, linked, contactId, invoiceId } = await twoPartnersOfOneCompany('m', 'merge');
      expect(linked.partnerId).toBe(bill.partnerId);
      expect(await odoo.call<number[]>('res.partner', 'search', { domain: [['id', '=', crm.partnerId]], context: { active_test: false } })).toEqual([]);
      const [contact] = await odoo.call<{ parent_id: [number, string] }[]>('res.partner', 'read', { ids: [contactId], fields: ['parent_id'] });
      expect(contact!.parent_id[0]).toBe(bill.partnerId);
      const [invoice] = await odoo.call<{ partner_id: [number, string] }[]>('account.move', 'read', { ids: [invoiceId], fields: ['partner_id'] });
      expect(invoice!.partner_id[0]).toBe(bill.partnerId);
      expect(await ports.identityMap.find('hubspot:account:crmm', 'odoo', 'res.partner')).toBe(String(bill.partnerId));
    });

    it('or, configured for review, leaves both with a note in each chatter naming the other', async () => {
      const { crm, bill } = await twoPartnersOfOneCompany('r', 'review');
      for (const [partnerId, other] of [[crm.partnerId, bill.partnerId], [bill.partnerId, crm.partnerId]] as const) {
        const notes = await odoo.call<{ body: string }[]>('mail.message', 'search_read', { domain: [['model', '=', 'res.partner'], ['res_id', '=', partnerId]], fields: ['body'] });
        expect(notes.map((note) => note.body).join('\n')).toContain(`Possible duplicate of partner #${other}`);
      }
    });
  });
}
