/**
 * Test doubles built from the recorded Odoo exchanges (test/contract/odoo/odoo-contract, a copy of the shared recording): a fake `fetch` that
 * answers a request with the recorded response of the identical recorded request, a fake clock and a
 * fake key provider.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { OdooClient, type OdooClientOptions } from '../../../../functions/erp/odoo/odoo-client';
import type { OdooConnectionSettings } from '../../../../functions/erp/odoo/odoo-config';
import type { ApiKeyProvider } from '../../../../functions/erp/odoo/odoo-transport';
import type { OdooClock } from '../../../../functions/erp/odoo/odoo-clock';

export type OdooVersionDir = '18.0' | '19.0-json2';

export interface RecordedExchange {
  name: string;
  note: string;
  request: { method: string; path: string; headers?: Record<string, string>; body: unknown };
  response: { status: number; body: unknown };
}

export const CONTRACT_DIR = process.env.ODOO_CONTRACT_DIR ?? new URL('../../../contract/odoo/odoo-contract/', import.meta.url).pathname;

/** Placeholders of the recordings, used as the real values in tests so that requests match byte for byte. */
export const RECORDED_KEY = '<api-key>';
export const RECORDED = {
  '18.0': { database: 'odoo18', login: 'admin' },
  '19.0-json2': { database: 'odoo19', login: 'admin' },
} as const;

const cache = new Map<OdooVersionDir, Map<string, RecordedExchange>>();

export function recordings(version: OdooVersionDir): Map<string, RecordedExchange> {
  let byName = cache.get(version);
  if (!byName) {
    byName = new Map();
    const dir = `${CONTRACT_DIR}${version}/`;
    const all = readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== 'index.json')
      .map((file) => JSON.parse(readFileSync(dir + file, 'utf8')) as RecordedExchange);
    // In recording order: when the same request was recorded twice (posting twice), the first answer comes first.
    const order = (JSON.parse(readFileSync(`${dir}index.json`, 'utf8')) as { order: Array<{ name: string }> }).order.map((o) => o.name);
    all.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    for (const exchange of all) byName.set(exchange.name, exchange);
    cache.set(version, byName);
  }
  return byName;
}

export function recording(version: OdooVersionDir, name: string): RecordedExchange {
  const exchange = recordings(version).get(name);
  if (!exchange) throw new Error(`no recording ${version}/${name}`);
  return exchange;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** The recording that answered, if any. */
  answeredBy?: string;
}

export type Handler = (request: SeenRequest) => Response | undefined | Promise<Response | undefined>;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? '' : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The part of a request a recording must equal (the JSON-RPC `id` is a counter). */
function shape(method: string, path: string, headers: Record<string, string>, body: unknown): unknown {
  const plainBody = body && typeof body === 'object' && !Array.isArray(body) && 'jsonrpc' in body ? { ...(body as object), id: 0 } : body;
  const { authorization, 'x-odoo-database': database } = headers;
  return { method, path, authorization, database, body: plainBody ?? null };
}

export interface FakeOdoo {
  fetch: typeof fetch;
  requests: SeenRequest[];
  /** Requests no handler and no recording answered (they got a 599). */
  unmatched: SeenRequest[];
}

/**
 * A fake Odoo answering each request with the recorded response of the identical recorded request
 * (a recording already used is taken again only when no unused one matches). `handlers` run first.
 */
export function recordedOdoo(version: OdooVersionDir, handlers: Handler[] = []): FakeOdoo {
  const used = new Set<string>();
  const requests: SeenRequest[] = [];
  const unmatched: SeenRequest[] = [];
  const all = [...recordings(version).values()];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const headers = lowerKeys(init?.headers as Record<string, string> | undefined);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : null;
    const seen: SeenRequest = { method: init?.method ?? 'GET', path: url.pathname, headers, body };
    requests.push(seen);
    for (const handler of handlers) {
      const answer = await handler(seen);
      if (answer) return answer;
    }
    const wanted = shape(seen.method, seen.path, headers, body);
    const candidates = all.filter((r) => isDeepStrictEqual(shape(r.request.method, r.request.path, lowerKeys(r.request.headers), r.request.body), wanted));
    const match = candidates.find((r) => !used.has(r.name)) ?? candidates[candidates.length - 1];
    if (!match) {
      unmatched.push(seen);
      return jsonResponse(599, { unmatched: true });
    }
    used.add(match.name);
    seen.answeredBy = match.name;
    const responseBody = match.response.body;
    // JSON-RPC answers carry the request's id.
    const answer =
      responseBody && typeof responseBody === 'object' && 'jsonrpc' in responseBody ? { ...responseBody, id: (body as { id?: unknown }).id } : responseBody;
    return jsonResponse(match.response.status, answer);
  };
  return { fetch: fake as typeof fetch, requests, unmatched };
}

/** Odoo 18 has no `GET /web/version` in these recordings: answer it like a server without the route. */
export const noWebVersionRoute: Handler = (request) =>
  request.method === 'GET' && request.path === '/web/version' ? new Response('<html>Not Found</html>', { status: 404 }) : undefined;

export interface FakeClock extends OdooClock {
  sleeps: number[];
  advance(ms: number): void;
}

/** `sleep` resolves on the next turn of the event loop and moves `now` forward; `random` returns the given values in turn. */
export function fakeClock(randomValues: number[] = [0.5]): FakeClock {
  let now = 1_000_000;
  let draw = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      // Let everything already runnable run first (as a real wait would), then jump.
      await new Promise((resolve) => setImmediate(resolve));
      now += ms;
    },
    random: () => randomValues[draw++ % randomValues.length] ?? 0.5,
  };
}

export interface FakeKeyProvider extends ApiKeyProvider {
  gets: number;
  invalidations: number;
}

/** Returns `keys[0]` until invalidated, then the next key. */
export function fakeKeys(...keys: string[]): FakeKeyProvider {
  let index = 0;
  const provider: FakeKeyProvider = {
    gets: 0,
    invalidations: 0,
    get: async () => {
      provider.gets++;
      return keys[Math.min(index, keys.length - 1)] ?? RECORDED_KEY;
    },
    invalidate: () => {
      provider.invalidations++;
      index++;
    },
  };
  return provider;
}

export const TEST_URL = 'http://odoo.test';

/** A client talking to `fake` with the recorded database, login and key, the transport of `version` and no waiting. */
export function recordedClient(
  version: OdooVersionDir,
  fake: Pick<FakeOdoo, 'fetch'>,
  options: { connection?: Partial<OdooConnectionSettings>; apiKey?: ApiKeyProvider; clock?: OdooClock; onCall?: OdooClientOptions['onCall'] } = {},
): OdooClient {
  return new OdooClient({
    connection: {
      url: TEST_URL,
      ...RECORDED[version],
      transport: version === '18.0' ? 'jsonrpc' : 'json2',
      ratePerSecond: 10_000,
      ...options.connection,
    },
    apiKey: options.apiKey ?? fakeKeys(RECORDED_KEY),
    fetch: fake.fetch,
    clock: options.clock ?? fakeClock(),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
}

/** Answers `model.method` (either transport) with `result`, as Odoo would. */
export function answer(model: string, method: string, result: unknown): Handler {
  return (request) => {
    if (request.path === `/json/2/${model}/${method}`) return jsonResponse(200, result);
    const params = (request.body as { params?: { args?: unknown[] }; id?: unknown } | null)?.params;
    if (request.path === '/jsonrpc' && params?.args?.[3] === model && params.args[4] === method) {
      return jsonResponse(200, { jsonrpc: '2.0', id: (request.body as { id?: unknown }).id, result });
    }
    return undefined;
  };
}

/** The named params or the positional args + kwargs the client sent for `model.method`. */
export function sentParams(request: SeenRequest): unknown {
  const body = request.body as { params?: { args?: unknown[] } } | null;
  if (request.path === '/jsonrpc') return { args: body?.params?.args?.[5], kwargs: body?.params?.args?.[6] };
  return body;
}
