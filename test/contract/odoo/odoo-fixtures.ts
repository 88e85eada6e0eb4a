import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The recorded Odoo contract (`shared/odoo-contract/`): loading the fixtures in recorded order,
 * substituting the API key for the `<api-key>` placeholder, replaying a request against a server and
 * normalizing what legitimately differs between two runs (tracebacks, timestamps, sequence numbers).
 */

export type OdooContractFolder = '18.0' | '19.0-json2';

export interface OdooFixture {
  name: string;
  note: string;
  request: { method: string; path: string; headers?: Record<string, string>; body: unknown };
  response: { status: number; body: unknown };
}

export interface OdooContractIndex {
  odoo: string;
  transport: string;
  database: string;
  uid?: number;
  recorded: string;
  order: Array<{ name: string; note: string }>;
}

/** The placeholder the recorder put where the password / API key was. */
export const API_KEY_PLACEHOLDER = '<api-key>';

/**
 * The recorded fixtures, copied into the repository (test/contract/odoo/odoo-contract/) so the tests run on a
 * fresh clone; odoo-contract-copy.test.ts keeps the copy identical to the shared recording.
 * `ODOO_CONTRACT_DIR` points elsewhere (a new recording).
 */
export function odooContractDirectory(): string {
  return process.env.ODOO_CONTRACT_DIR ?? fileURLToPath(new URL('./odoo-contract/', import.meta.url));
}

export function loadOdooContractIndex(folder: OdooContractFolder): OdooContractIndex {
  return JSON.parse(readFileSync(join(odooContractDirectory(), folder, 'index.json'), 'utf8')) as OdooContractIndex;
}

/** Every case of a folder, in the order it was recorded (later cases use ids created by earlier ones). */
export function loadOdooFixtures(folder: OdooContractFolder): OdooFixture[] {
  return loadOdooContractIndex(folder).order.map(({ name }) => loadOdooFixture(folder, name));
}

export function loadOdooFixture(folder: OdooContractFolder, name: string): OdooFixture {
  return JSON.parse(readFileSync(join(odooContractDirectory(), folder, `${name}.json`), 'utf8')) as OdooFixture;
}

/** The fixture's request with `apiKey` wherever `<api-key>` stands (body and headers; other keys, like `<wrong-key>`, stay wrong). */
export function withApiKey(request: OdooFixture['request'], apiKey: string): OdooFixture['request'] {
  return JSON.parse(JSON.stringify(request).replaceAll(API_KEY_PLACEHOLDER, apiKey)) as OdooFixture['request'];
}

export interface ReplayedResponse {
  status: number;
  body: unknown;
}

/** Sends a fixture's request to `baseUrl` as recorded (method, path, headers, JSON body). */
export async function replayOdooRequest(baseUrl: string, request: OdooFixture['request']): Promise<ReplayedResponse> {
  const response = await fetch(new URL(request.path, baseUrl), {
    method: request.method,
    headers: { 'content-type': 'application/json', ...request.headers },
    body: request.body === null || request.method === 'GET' ? undefined : JSON.stringify(request.body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** Sequence numbers: `INV/2026/00021`, `PBNK1/2026/00001` (journal/year/number), `PAY00011`, `S00001`. */
const JOURNAL_SEQUENCE = /\b([A-Z][A-Z0-9]*)\/\d{4}\/\d{4,}\b/g;
const PLAIN_SEQUENCE = /\b(PAY|S)\d{5}\b/g;

export interface NormalizeOptions {
  /** Replace sequence names (`INV/<year>/<number>`); true by default. */
  sequenceNames?: boolean;
}

/**
 * A response with what differs between two correct runs replaced by placeholders: tracebacks (`debug`,
 * shortened in the fixtures), timestamps (`write_date`...) and, unless told otherwise, sequence names
 * (their year and number depend on the day and on what was posted before). Ids are left as they are.
 */
export function normalizeOdooPayload(value: unknown, options: NormalizeOptions = {}): unknown {
  const normalizeSequenceNames = options.sequenceNames ?? true;
  const normalize = (item: unknown): unknown => {
    if (typeof item === 'string') {
      if (DATETIME.test(item)) return '<datetime>';
      return normalizeSequenceNames ? item.replace(JOURNAL_SEQUENCE, '$1/<year>/<number>').replace(PLAIN_SEQUENCE, '$1<number>') : item;
    }
    if (Array.isArray(item)) return item.map(normalize);
    if (item !== null && typeof item === 'object') {
      return Object.fromEntries(
        Object.entries(item).map(([key, member]) => [key, key === 'debug' && typeof member === 'string' ? '<traceback>' : normalize(member)]),
      );
    }
    return item;
  };
  return normalize(value);
}
