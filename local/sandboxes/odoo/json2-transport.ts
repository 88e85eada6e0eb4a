import type { IncomingHttpHeaders } from 'node:http';
import { ADMIN_UID } from './orm/environment';
import { callModelMethod, json2Result, namedValuesFrom, recordIdsFrom } from './orm/method-call';
import { asOdooError, HttpRouteError, json2ErrorResponse } from './odoo-errors';
import { isValidApiKey, type ServedDatabase } from './served-database';

export interface Json2Response {
  status: number;
  body: unknown;
}

const JSON2_PATH = /^\/json\/2\/([^/]+)\/([^/]+)\/?$/;

export function isJson2Path(path: string): boolean {
  return path.startsWith('/json/2/');
}

/**
 * `POST /json/2/<model>/<method>` (Odoo 19+): bearer API key, `X-Odoo-Database`, a JSON object of
 * named arguments where `ids` is the recordset and `context` the context. Failures use real HTTP
 * statuses (401, 404, 422, 500) and the body `{name, message, arguments, context, debug}`.
 */
export function handleJson2(database: ServedDatabase, httpMethod: string, path: string, headers: IncomingHttpHeaders, rawBody: string): Json2Response {
  try {
    const route = JSON2_PATH.exec(path);
    if (route === null) throw new HttpRouteError('NotFound', 404, 'The requested URL was not found on the server.');
    if (httpMethod !== 'POST') throw new HttpRouteError('MethodNotAllowed', 405, 'The method is not allowed for the requested URL.');
    assertServedDatabase(database, headers['x-odoo-database']);
    authenticate(database, headers.authorization);
    const body = parseBody(rawBody);
    // A body that is not an object (a positional list) carries no named argument: binding then fails
    // on the first required parameter, as recorded in `args.positional_rejected`.
    const { ids, context, ...named } = namedValuesFrom(body);
    const result = callModelMethod(database, ADMIN_UID, {
      model: decodeURIComponent(route[1] ?? ''),
      method: decodeURIComponent(route[2] ?? ''),
      ids: recordIdsFrom(ids),
      positional: [],
      named,
      context: namedValuesFrom(context),
    });
    return { status: 200, body: json2Result(result) ?? null };
  } catch (error) {
    return json2ErrorResponse(asOdooError(error));
  }
}

/**
 * Without `X-Odoo-Database` the request is served, as recorded in `db.missing_header` (the server
 * serves one database). A header naming another database is refused with 404.
 */
function assertServedDatabase(database: ServedDatabase, header: string | string[] | undefined): void {
  if (header === undefined || header === database.name) return;
  throw new HttpRouteError('NotFound', 404, `Database ${String(header)} not found.`);
}

function authenticate(database: ServedDatabase, authorization: string | undefined): void {
  const match = /^bearer\s+(.+)$/i.exec(authorization ?? '');
  if (match === null) throw new HttpRouteError('Unauthorized', 401, 'User not authenticated, use an API Key with a Bearer Authorization header.');
  if (!isValidApiKey(database, match[1]?.trim())) throw new HttpRouteError('Unauthorized', 401, 'Invalid apikey');
}

function parseBody(rawBody: string): unknown {
  if (rawBody.trim() === '') return {};
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new HttpRouteError('BadRequest', 400, 'Invalid JSON data');
  }
}
