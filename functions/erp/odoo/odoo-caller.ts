import type { OdooCallOptions } from './odoo-client';
import type { OdooParams } from './odoo-transport';

/** What operations need from the client (an `OdooClient`, or a stub in a test). */
export interface OdooCaller {
  call<T = unknown>(model: string, method: string, params?: OdooParams, options?: OdooCallOptions): Promise<T>;
}

/** An Odoo domain: `[['ref', '=', 'cus_1'], '|', ...]`. */
export type OdooDomain = ReadonlyArray<unknown>;

/** Values as `create`/`write` take them. */
export type OdooValues = Record<string, unknown>;

/** A record as `read`/`search_read` return it (many2one as `[id, name]` or `false`). */
export type OdooRecord = { id: number } & Record<string, unknown>;

/** The id of a many2one as a record reads it (`[id, name]`), undefined when unset (`false`). */
export const many2oneId = (value: unknown): number | undefined => (Array.isArray(value) && typeof value[0] === 'number' ? value[0] : undefined);

/** The display name of a many2one as a record reads it (`[id, name]`), undefined when unset (`false`). */
export const many2oneName = (value: unknown): string | undefined => (Array.isArray(value) && typeof value[1] === 'string' ? value[1] : undefined);

/** The window action wizards answer with (`refund_moves`, `action_create_payments`). */
export interface OdooWindowAction {
  type?: string;
  res_model?: string;
  res_id?: number | false;
}
