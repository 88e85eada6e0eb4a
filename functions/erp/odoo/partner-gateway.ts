import type { PartnerGateway, PartnerWrite } from '../../domain/partner-gateway';
import type { OdooCaller } from './odoo-caller';
import { archive, resolveExternalIds, upsertByExternalId } from './record-operations';

/**
 * `res.partner` through the Odoo client. Calls per operation, warm container:
 * upsert of a known partner 1 (`write`), of a new one 1 (`load`); archive 1 with a known id,
 * 2 without (resolve the external id, then `write`), 1 when no partner was ever created.
 */
export class OdooPartnerGateway implements PartnerGateway {
  constructor(private readonly odoo: OdooCaller) {}

  async upsert(externalId: string, values: PartnerWrite, knownId?: number): Promise<{ id: number }> {
    const { id } = await upsertByExternalId(this.odoo, 'res.partner', externalId, { ...values }, knownId);
    return { id };
  }

  async archive(externalId: string, knownId?: number): Promise<{ archived: boolean }> {
    const id = knownId ?? (await resolveExternalIds(this.odoo, [externalId])).get(externalId)?.id;
    if (id === undefined) return { archived: false };
    await archive(this.odoo, 'res.partner', id);
    return { archived: true };
  }
}
