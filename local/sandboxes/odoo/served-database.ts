import { timingSafeEqual } from 'node:crypto';
import type { OdooDatabase } from './orm/method-call';

/**
 * The one database the sandbox serves (like an Odoo behind a db-filter) and its one user: `admin`
 * (uid 2), who authenticates with the API key, as an integration user does.
 */
export interface ServedDatabase extends OdooDatabase {
  name: string;
  login: string;
  apiKey: string;
}

export function isValidApiKey(database: ServedDatabase, candidate: unknown): boolean {
  if (typeof candidate !== 'string') return false;
  const expected = Buffer.from(database.apiKey);
  const given = Buffer.from(candidate);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
