import { createHash } from 'node:crypto';
import { OdooAccessError, odooErrorFromJsonRpc, odooErrorFromStatus, OdooProtocolError, parseRetryAfter } from './odoo-errors';
import type { HttpResponse, OdooHttp, OdooParams, OdooTransport } from './odoo-transport';

/**
 * Named params → positional `args` of `execute_kw`, per method; every other param goes to `kwargs`.
 * Record methods (`action_post`, `message_post`, `unlink`, ...) take `ids` first, which is the default.
 */
const POSITIONAL: Readonly<Record<string, readonly string[]>> = {
  create: ['vals_list'],
  write: ['ids', 'vals'],
  read: ['ids', 'fields'],
  search: ['domain'],
  search_read: ['domain'],
  search_count: ['domain'],
  read_group: ['domain', 'fields', 'groupby'],
  load: ['fields', 'data'],
  fields_get: ['allfields'],
  name_search: [],
};

export function toPositional(method: string, params: OdooParams): { args: unknown[]; kwargs: Record<string, unknown> } {
  const names = POSITIONAL[method] ?? (params.ids === undefined ? [] : ['ids']);
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = { ...params };
  for (const name of names) {
    // Positional args cannot have holes: from the first absent one on, the rest stay keyword args.
    if (params[name] === undefined) break;
    args.push(params[name]);
    delete kwargs[name];
  }
  // `read` takes `fields` by keyword in every recorded call; keep that shape.
  if (method === 'read' && args.length === 2) kwargs.fields = args.pop();
  // One record: the recorded shape is a single dict (Odoo returns one id; normalized below).
  if (method === 'create' && Array.isArray(args[0]) && args[0].length === 1) args[0] = args[0][0];
  return { args, kwargs };
}

let nextRequestId = 1;

function rpcResult(response: HttpResponse, operation: string, details: { model?: string; method?: string }): unknown {
  const body = response.json as { error?: unknown; result?: unknown } | undefined;
  if (body && typeof body === 'object' && 'error' in body && body.error) {
    throw odooErrorFromJsonRpc(body.error, { ...details, status: response.status });
  }
  if (response.status !== 200) {
    throw odooErrorFromStatus(
      {
        status: response.status,
        message: `HTTP ${response.status} from Odoo JSON-RPC (${operation})`,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      },
      { ...details, transport: 'jsonrpc' },
    );
  }
  if (!body || typeof body !== 'object') {
    throw new OdooProtocolError(`Not a JSON-RPC answer from Odoo (${operation}): ${response.snippet}`, {
      ...details,
      transport: 'jsonrpc',
      status: response.status,
    });
  }
  // Odoo omits `result` when the method returns None (button_draft, button_cancel).
  return body.result ?? null;
}

async function rpc(http: OdooHttp, operation: string, service: string, method: string, args: unknown[], details: { model?: string; method?: string } = {}): Promise<unknown> {
  const response = await http({
    operation,
    method: 'POST',
    path: '/jsonrpc',
    headers: { 'content-type': 'application/json' },
    body: { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: nextRequestId++ },
  });
  return rpcResult(response, operation, details);
}

/** `common.version`: the server version, without authentication. */
export async function jsonRpcServerVersion(http: OdooHttp): Promise<{ major: number; version: string }> {
  const result = (await rpc(http, 'common.version', 'common', 'version', [])) as { server_version_info?: unknown[]; server_version?: string } | null;
  const major = Number(result?.server_version_info?.[0]);
  if (!Number.isInteger(major)) throw new OdooProtocolError('common.version returned no server_version_info', { transport: 'jsonrpc' });
  return { major, version: String(result?.server_version ?? major) };
}

/**
 * Odoo up to 18: `POST /jsonrpc`, `object.execute_kw(db, uid, key, model, method, args, kwargs)`.
 * The uid comes from `common.authenticate`, once per key per container (shared cache).
 */
export class JsonRpcTransport implements OdooTransport {
  readonly kind = 'jsonrpc' as const;

  constructor(
    private readonly database: string,
    private readonly login: string,
    /** uid per credential fingerprint; shared by the clients of one database (database-guards.ts). */
    private readonly uids: Map<string, Promise<number>>,
  ) {}

  forgetCredentials(): void {
    this.uids.clear();
  }

  private lastKey: { apiKey: string; fingerprint: string } | undefined;

  private uid(apiKey: string, http: OdooHttp): Promise<number> {
    // A hash, so that the key itself is not kept as a map key any longer than the provider keeps it;
    // computed once per key, not per call.
    if (this.lastKey?.apiKey !== apiKey) {
      this.lastKey = { apiKey, fingerprint: createHash('sha256').update(`${this.database}\0${this.login}\0${apiKey}`).digest('base64url') };
    }
    const { fingerprint } = this.lastKey;
    let uid = this.uids.get(fingerprint);
    if (!uid) {
      uid = rpc(http, 'common.authenticate', 'common', 'authenticate', [this.database, this.login, apiKey, {}]).then((result) => {
        // Wrong credentials are not an error here: `authenticate` answers false.
        if (typeof result !== 'number' || result <= 0) {
          throw new OdooAccessError(`Odoo rejected the login or API key of ${this.login}`, 'authentication', {
            transport: 'jsonrpc',
            odooName: 'common.authenticate',
          });
        }
        return result;
      });
      this.uids.set(fingerprint, uid);
      uid.catch(() => this.uids.delete(fingerprint));
    }
    return uid;
  }

  async execute(model: string, method: string, params: OdooParams, apiKey: string, http: OdooHttp): Promise<unknown> {
    const uid = await this.uid(apiKey, http);
    const { args, kwargs } = toPositional(method, params);
    const result = await rpc(http, `${model}.${method}`, 'object', 'execute_kw', [this.database, uid, apiKey, model, method, args, kwargs], {
      model,
      method,
    });
    // JSON-RPC returns one id for one dict; JSON-2 always a list. Callers see a list.
    return method === 'create' && typeof result === 'number' ? [result] : result;
  }
}
