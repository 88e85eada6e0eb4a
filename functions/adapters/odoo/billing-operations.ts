import type { OdooCaller, OdooRecord } from './odoo-caller';
import { OdooProtocolError, OdooValidationError } from './odoo-errors';

/**
 * Billing operations the generic ones do not cover: several records upserted by external id in one
 * `load()` call (the products of an invoice's prices), a draft posted and read back.
 */

interface LoadResult {
  ids: number[] | false;
  messages: Array<{ type?: string; message?: string; field?: string }>;
}

/**
 * Create or update several records by external id in ONE call (`load()` with one row per record, every
 * cell text as the import format wants it). Atomic: a bad row rolls back all of them. Returns ids in row order.
 */
export async function loadByExternalIds(
  odoo: OdooCaller,
  model: string,
  fields: readonly string[],
  rows: ReadonlyArray<{ externalId: string; cells: readonly string[] }>,
): Promise<number[]> {
  if (rows.length === 0) return [];
  const result = await odoo.call<LoadResult>(model, 'load', {
    fields: ['id', ...fields],
    data: rows.map((row) => [row.externalId, ...row.cells]),
  });
  const errors = (result?.messages ?? []).filter((message) => message.type === 'error');
  if (errors.length > 0 || !result?.ids || result.ids.length !== rows.length) {
    const text = errors.map((message) => (message.field ? `${message.field}: ${message.message}` : message.message)).join('; ');
    throw new OdooValidationError(text || `load() of ${rows.length} ${model} returned ${JSON.stringify(result?.ids)}`, { model, method: 'load' });
  }
  return result.ids;
}

const MOVE = 'account.move';

/** Post a draft move and read it back: 2 calls. */
export async function postAndRead(odoo: OdooCaller, moveId: number, fields: readonly string[]): Promise<OdooRecord> {
  await odoo.call(MOVE, 'action_post', { ids: [moveId] });
  const [record] = await odoo.call<OdooRecord[]>(MOVE, 'read', { ids: [moveId], fields: [...fields] });
  if (!record) throw new OdooProtocolError(`account.move ${moveId} vanished after posting`, { model: MOVE, method: 'read' });
  return record;
}
