import { odooErrorFromJson2, odooErrorFromStatus, OdooProtocolError, parseRetryAfter } from './odoo-errors';
import type { OdooHttp, OdooParams, OdooTransport } from './odoo-transport';

/**
 * Odoo 19 and later: `POST /json/2/<model>/<method>` with named arguments only,
 * `Authorization: bearer <key>` and `X-Odoo-Database` (sent always: a server may host several
 * databases). Errors come with a real HTTP status and a body `{ name, message, ... }`.
 */
export class Json2Transport implements OdooTransport {
  readonly kind = 'json2' as const;

  constructor(private readonly database: string) {}

  forgetCredentials(): void {
    // Nothing derived from the key is kept: each request carries it.
  }

  async execute(model: string, method: string, params: OdooParams, apiKey: string, http: OdooHttp): Promise<unknown> {
    const operation = `${model}.${method}`;
    const response = await http({
      operation,
      method: 'POST',
      path: `/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`,
      headers: {
        'content-type': 'application/json',
        authorization: `bearer ${apiKey}`,
        'x-odoo-database': this.database,
      },
      body: params,
    });
    if (response.status >= 200 && response.status < 300) {
      if (response.json === undefined) {
        throw new OdooProtocolError(`Not a JSON answer from Odoo JSON-2 (${operation}): ${response.snippet}`, {
          model,
          method,
          status: response.status,
          transport: 'json2',
        });
      }
      return response.json;
    }
    throw odooErrorFromJson2(response.status, response.json, parseRetryAfter(response.headers.get('retry-after'), Date.now()), {
      model,
      method,
    });
  }
}

/** `GET /web/version`: the server version, without authentication; `undefined` if the route is absent. */
export async function webServerVersion(http: OdooHttp): Promise<{ major: number; version: string } | undefined> {
  const response = await http({ operation: 'web.version', method: 'GET', path: '/web/version' });
  if (response.status === 429 || response.status >= 500) {
    throw odooErrorFromStatus(
      { status: response.status, message: `HTTP ${response.status} from Odoo /web/version`, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()) },
      { transport: 'json2' },
    );
  }
  const body = response.json as { version_info?: unknown[]; version?: string } | undefined;
  const major = Number(body?.version_info?.[0]);
  if (response.status !== 200 || !Number.isInteger(major)) return undefined;
  return { major, version: String(body?.version ?? major) };
}
