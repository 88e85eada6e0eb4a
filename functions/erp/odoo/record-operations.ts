import type { OdooCaller, OdooDomain, OdooRecord, OdooValues } from './odoo-caller';
import { odooErrorFromLoadMessages, OdooMissingError, OdooProtocolError } from './odoo-errors';

/**
 * Generic record operations with the fewest round trips. Call counts are HTTP requests once the
 * container is warm; a cold container adds the transport probe (`auto`: 1 request on Odoo 19+,
 * 2 before) and, over JSON-RPC, one `common.authenticate` per API key.
 */

export interface ExternalId {
  module: string;
  name: string;
}

/** `saas_sync.<system>_customer_<id>` → `{ module: 'saas_sync', name: '<system>_customer_<id>' }`. */
export function parseExternalId(externalId: string): ExternalId {
  const dot = externalId.indexOf('.');
  if (dot <= 0 || dot === externalId.length - 1) throw new TypeError(`external id must be module.name, got ${externalId}`);
  return { module: externalId.slice(0, dot), name: externalId.slice(dot + 1) };
}

/**
 * `values` in the import format of `load()`: one column per field, every cell a string
 * (Odoo's import converters parse text: a JSON `true` would fail the boolean converter).
 * A many2one by database id goes in the `<field>/.id` column; `*_id` integers are taken as such.
 * A many2many may be given as ids or `[[6, 0, ids]]` (replace); other x2many commands cannot be
 * expressed in one import row and are refused.
 */
export function toImportRow(values: OdooValues): { fields: string[]; row: string[] } {
  const fields: string[] = [];
  const row: string[] = [];
  const push = (field: string, cell: string): void => {
    fields.push(field);
    row.push(cell);
  };
  for (const [field, value] of Object.entries(values)) {
    if (field === 'id' || field === '.id') throw new TypeError('values must not carry an id: the external id identifies the record');
    if (value === null || value === false || value === undefined) push(field, '');
    else if (value === true) push(field, '1');
    else if (typeof value === 'string') push(field, value);
    else if (typeof value === 'number' && Number.isFinite(value)) {
      push(!field.includes('/') && field.endsWith('_id') && Number.isInteger(value) ? `${field}/.id` : field, String(value));
    } else if (Array.isArray(value) && !field.includes('/')) {
      const ids = manyToManyIds(value);
      if (!ids) throw new TypeError(`${field}: only ids or [[6, 0, ids]] can be upserted by external id; write other commands separately`);
      push(`${field}/.id`, ids.join(','));
    } else {
      throw new TypeError(`${field}: ${typeof value} values cannot be upserted by external id`);
    }
  }
  return { fields, row };
}

function manyToManyIds(value: unknown[]): number[] | undefined {
  if (value.every((item) => Number.isInteger(item))) return value as number[];
  const [command, ...rest] = value;
  if (rest.length === 0 && Array.isArray(command) && command[0] === 6 && Array.isArray(command[2]) && command[2].every((id) => Number.isInteger(id))) {
    return command[2] as number[];
  }
  return undefined;
}

interface LoadResult {
  ids: number[] | false;
  messages: Array<{ type?: string; message?: string; field?: string }>;
}

export interface UpsertResult {
  id: number;
  /**
   * `false` when the known id was written. `undefined` when `load()` did the upsert: it creates or
   * updates atomically in one call but does not say which.
   */
  created: boolean | undefined;
}

/**
 * Create or update the record bound to `externalId` (`saas_sync.<system>_customer_<id>`).
 *
 * - `knownId` given (from the identity map): `write` — 1 call. If the record was deleted
 *   (`MissingError`), falls back to `load()`: 2 calls.
 * - otherwise: `load()` with the external id in its `id` column — 1 call, both transports. It
 *   creates the record and binds the external id in one transaction, or updates the bound record.
 *   Preferred over `create` + `ir.model.data.create` (2 calls, not atomic: a crash between them
 *   leaves an unbound record that the next delivery would duplicate).
 */
export async function upsertByExternalId(
  odoo: OdooCaller,
  model: string,
  externalId: string,
  values: OdooValues,
  knownId?: number,
): Promise<UpsertResult> {
  parseExternalId(externalId);
  // Convert first: a value load() cannot take is a mapping bug, found on the first run.
  const { fields, row } = toImportRow(values);
  if (knownId !== undefined) {
    try {
      await odoo.call(model, 'write', { ids: [knownId], vals: values });
      return { id: knownId, created: false };
    } catch (error) {
      if (!(error instanceof OdooMissingError)) throw error;
    }
  }
  const [id] = await loadRows(odoo, model, fields, [{ externalId, cells: row }]);
  return { id: id!, created: undefined };
}

/**
 * Create or update several records by external id in ONE call (`load()` with one row per record, every cell
 * text as the import format wants it). Atomic: a bad row rolls back all of them. Returns ids in row order.
 * `load()` reports bad rows in `messages` instead of raising (odooErrorFromLoadMessages: a concurrency
 * failure among them is retryable).
 */
export async function loadRows(
  odoo: OdooCaller,
  model: string,
  fields: readonly string[],
  rows: ReadonlyArray<{ externalId: string; cells: readonly string[] }>,
  context?: Record<string, unknown>,
): Promise<number[]> {
  if (rows.length === 0) return [];
  const result = await odoo.call<LoadResult>(model, 'load', {
    fields: ['id', ...fields],
    data: rows.map((row) => [row.externalId, ...row.cells]),
    ...(context === undefined ? {} : { context }),
  });
  const errors = (result?.messages ?? []).filter((message) => message.type === 'error');
  if (errors.length > 0 || !result?.ids || result.ids.length !== rows.length) {
    throw odooErrorFromLoadMessages(errors, `load() of ${rows.length} ${model} returned ${JSON.stringify(result?.ids)}`, { model });
  }
  if (result.ids.some((id) => typeof id !== 'number')) throw new OdooProtocolError(`load() of ${rows.length} ${model} returned ${JSON.stringify(result.ids)}`, { model, method: 'load' });
  return result.ids;
}

/** Create several records: 1 call; ids in the order of `valsList`. 0 calls for an empty list. */
export async function createMany(odoo: OdooCaller, model: string, valsList: OdooValues[]): Promise<number[]> {
  if (valsList.length === 0) return [];
  const ids = await odoo.call<number[]>(model, 'create', { vals_list: valsList });
  if (!Array.isArray(ids) || ids.length !== valsList.length) {
    throw new OdooProtocolError(`create returned ${JSON.stringify(ids)} for ${valsList.length} records`, { model, method: 'create' });
  }
  return ids;
}

export interface SearchReadOptions {
  limit?: number;
  offset?: number;
  order?: string;
  context?: Record<string, unknown>;
}

/** Search and read in 1 call. */
export async function searchRead<T extends OdooRecord = OdooRecord>(
  odoo: OdooCaller,
  model: string,
  domain: OdooDomain,
  fields: string[],
  options: SearchReadOptions = {},
): Promise<T[]> {
  const params: Record<string, unknown> = { domain, fields };
  for (const key of ['limit', 'offset', 'order', 'context'] as const) {
    if (options[key] !== undefined) params[key] = options[key];
  }
  return odoo.call<T[]>(model, 'search_read', params);
}

export interface ResolvedExternalId {
  model: string;
  id: number;
}

/**
 * Resolve external ids to records: 1 call (`ir.model.data` `search_read` with `in`), 0 for an
 * empty list. Unknown ids are absent from the map.
 */
export async function resolveExternalIds(odoo: OdooCaller, externalIds: readonly string[]): Promise<Map<string, ResolvedExternalId>> {
  const resolved = new Map<string, ResolvedExternalId>();
  if (externalIds.length === 0) return resolved;
  const byModule = new Map<string, string[]>();
  for (const externalId of new Set(externalIds)) {
    const { module, name } = parseExternalId(externalId);
    byModule.set(module, [...(byModule.get(module) ?? []), name]);
  }
  const groups = [...byModule].map(([module, names]) => ['&', ['module', '=', module], ['name', 'in', names]]);
  const single = groups.length === 1;
  // One module (the usual case): the flat domain of the recorded call. Several: OR of AND groups.
  const domain = single ? groups[0]!.slice(1) : [...Array<string>(groups.length - 1).fill('|'), ...groups.flat()];
  const onlyModule = single ? [...byModule.keys()][0]! : undefined;
  const rows = await odoo.call<Array<{ module?: string; name: string; model: string; res_id: number }>>('ir.model.data', 'search_read', {
    domain,
    fields: single ? ['name', 'model', 'res_id'] : ['module', 'name', 'model', 'res_id'],
  });
  for (const row of rows) {
    resolved.set(`${onlyModule ?? row.module}.${row.name}`, { model: row.model, id: row.res_id });
  }
  return resolved;
}

/** Archive (`active = false`): 1 call. */
export async function archive(odoo: OdooCaller, model: string, id: number): Promise<void> {
  await odoo.call(model, 'write', { ids: [id], vals: { active: false } });
}

/**
 * Log an internal note in the record's chatter (visible to accountants, no email): 1 call.
 * Returns the message id (JSON-RPC answers an id, JSON-2 a list of one).
 */
export async function postNote(odoo: OdooCaller, model: string, id: number, body: string): Promise<number> {
  const result = await odoo.call<number | number[]>(model, 'message_post', {
    ids: [id],
    body,
    message_type: 'comment',
    subtype_xmlid: 'mail.mt_note',
  });
  const messageId = Array.isArray(result) ? result[0] : result;
  if (typeof messageId !== 'number') throw new OdooProtocolError(`message_post returned ${JSON.stringify(result)}`, { model, method: 'message_post' });
  return messageId;
}
