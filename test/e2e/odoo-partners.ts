import type { Harness } from './local-stack-harness';

/** What the CRM stories read of Odoo's partners: a partner by its external id, and a company's children, archived ones included. */
export function odooPartners<Row>(harnessOf: () => Harness, fields: readonly string[]) {
  async function partnerOf(externalId: string): Promise<Row | undefined> {
    const [module, name] = [externalId.slice(0, externalId.indexOf('.')), externalId.slice(externalId.indexOf('.') + 1)];
    const odoo = harnessOf().odoo;
    const [link] = await odoo.searchRead<{ res_id: number }>('ir.model.data', [['module', '=', module], ['name', '=', name], ['model', '=', 'res.partner']], ['res_id']);
    if (link === undefined) return undefined;
    return (await odoo.searchRead<Row>('res.partner', [['id', '=', link.res_id]], [...fields], { context: { active_test: false } }))[0];
  }
  const childrenOf = (partnerId: number) => harnessOf().odoo.searchRead<Row>('res.partner', [['parent_id', '=', partnerId]], [...fields], { order: 'name', context: { active_test: false } });
  return { partnerOf, childrenOf };
}
