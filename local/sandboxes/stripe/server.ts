import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COLLECTIONS, isCollection, listPage, nestedListPage, parseStripeQuery, StripeQueryError } from './stripe-list-query';
import { StripeObjectStore } from './stripe-object-store';
import { StripeWrites } from './stripe-writes';
import type { StripeObject } from './stripe-object-templates';
import { readBody } from '../read-body';

/** The secret key the sandbox accepts unless told otherwise. */
export const SANDBOX_STRIPE_API_KEY = 'sk_test_sandbox';
/** The version answered when a request names none (the account's default at Stripe). */
export const SANDBOX_STRIPE_API_VERSION = '2026-10-28.endive';

export interface StripeSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Where the objects are saved (`stripe-sandbox.json`); in memory only when not given. */
  dataDir?: string;
  apiKey?: string;
}

export interface StripeSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Forget every object (on disk too) and every pending fault. */
  reset(): void;
}

/** A fault the next matching `/v1` requests answer with (`POST /_sandbox/faults`), to test clients' retries. */
interface Fault {
  status: number;
  remaining: number;
  /** Only requests whose path starts with this. */
  pathPrefix: string;
  retryAfterSeconds?: number;
}

interface StripeErrorBody {
  type: 'invalid_request_error' | 'api_error' | 'authentication_error';
  message: string;
  code?: string;
  param?: string;
}

const MAX_BODY_BYTES = 20 * 1024 * 1024;
/**
 * Lines an invoice embeds, as Stripe does ("the first handful": a list's default page); the rest are at
 * `/v1/invoices/{id}/lines`. Seed an invoice with all its lines in `lines.data`: the sandbox cuts them.
 */
export const EMBEDDED_INVOICE_LINES = 10;

/**
 * Stripe's read API for the objects the stack needs, served from seeded objects with Stripe's shapes:
 * `GET /v1/<collection>/<id>` and `GET /v1/<collection>` (list envelope, cursors, `created` ranges,
 * the documented filters), bearer (or basic) auth with the secret key, `Stripe-Account` scoping,
 * Stripe's error bodies. Seeding: `POST /_sandbox/objects` (a JSON array), `DELETE /_sandbox/objects`.
 */
export async function startStripeSandbox(options: StripeSandboxOptions = {}): Promise<StripeSandbox> {
  const store = new StripeObjectStore(StripeObjectStore.filePathFor(options.dataDir));
  const apiKey = options.apiKey ?? SANDBOX_STRIPE_API_KEY;
  let faults: Fault[] = [];
  const writes = new StripeWrites(store);

  const server = createServer((request, response) => {
    readBody(request, MAX_BODY_BYTES)
      .then((body) => {
        const url = new URL(request.url ?? '/', 'http://sandbox');
        if (url.pathname.startsWith('/_sandbox/')) return handleSandbox(request.method ?? 'GET', url, body, request, response);
        return handleApi(request, url, response, body);
      })
      .catch((error: unknown) => {
        sendError(response, request, 400, { type: 'invalid_request_error', message: error instanceof Error ? error.message : String(error) });
      });
  });

  function handleSandbox(method: string, url: URL, body: string, request: IncomingMessage, response: ServerResponse): void {
    const account = accountOf(request);
    if (url.pathname === '/_sandbox/objects' && method === 'POST') {
      const objects = parseSeed(body);
      store.put(objects, account);
      return sendJson(response, 200, { stored: objects.length });
    }
    if (url.pathname === '/_sandbox/objects' && method === 'DELETE') {
      store.clear();
      writes.forgetIdempotencyKeys();
      return sendJson(response, 200, { deleted: true });
    }
    if (url.pathname === '/_sandbox/objects' && method === 'GET') return sendJson(response, 200, store.count());
    if (url.pathname === '/_sandbox/faults' && method === 'POST') {
      const fault = JSON.parse(body || '{}') as { status?: unknown; count?: unknown; path?: unknown; retryAfter?: unknown };
      if (typeof fault.status !== 'number' || fault.status < 400) throw new Error('a fault needs a status >= 400');
      faults.push({
        status: fault.status,
        remaining: typeof fault.count === 'number' ? fault.count : 1,
        pathPrefix: typeof fault.path === 'string' ? fault.path : '/v1/',
        ...(typeof fault.retryAfter === 'number' ? { retryAfterSeconds: fault.retryAfter } : {}),
      });
      return sendJson(response, 200, { faults: faults.length });
    }
    if (url.pathname === '/_sandbox/faults' && method === 'DELETE') {
      faults = [];
      return sendJson(response, 200, { deleted: true });
    }
    sendJson(response, 404, { error: { type: 'invalid_request_error', message: `Unknown sandbox route ${method} ${url.pathname}` } });
  }

  function handleApi(request: IncomingMessage, url: URL, response: ServerResponse, body: string): void {
    const method = request.method ?? 'GET';
    const key = apiKeyOf(request);
    if (key === undefined) {
      return sendError(response, request, 401, {
        type: 'invalid_request_error',
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
      });
    }
    if (key !== apiKey) {
      return sendError(response, request, 401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${maskKey(key)}` });
    }

    const fault = faults.find((candidate) => candidate.remaining > 0 && url.pathname.startsWith(candidate.pathPrefix));
    if (fault) {
      fault.remaining -= 1;
      faults = faults.filter((candidate) => candidate.remaining > 0);
      if (fault.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return sendError(response, request, fault.status, faultBody(fault.status));
    }

    const [, version, collection, id, ...rest] = url.pathname.split('/');
    if (version === 'v1' && StripeWrites.handles(method, url.pathname.split('/').slice(2))) {
      const key = request.headers['idempotency-key'];
      const answer = writes.write({ method, segments: url.pathname.split('/').slice(2), body, idempotencyKey: typeof key === 'string' && key ? key : undefined, account: accountOf(request) });
      for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
      return sendApi(response, request, answer.status, answer.body);
    }
    const invoiceLines = collection === 'invoices' && id !== undefined && id !== '' && rest.length === 1 && rest[0] === 'lines';
    if (method !== 'GET' || version !== 'v1' || collection === undefined || !isCollection(collection) || (rest.length > 0 && !invoiceLines) || id === '') {
      return sendError(response, request, 404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      });
    }
    const { type } = COLLECTIONS[collection];
    const account = accountOf(request);
    try {
      const query = parseStripeQuery(url.searchParams);
      if (invoiceLines) {
        const invoiceId = decodeURIComponent(id!);
        const invoice = store.get(account, 'invoice', invoiceId);
        if (!invoice) return sendError(response, request, 404, { type: 'invalid_request_error', code: 'resource_missing', param: 'invoice', message: `No such invoice: '${invoiceId}'` });
        const page = nestedListPage('line_item', linesOf(invoice), query);
        return sendApi(response, request, 200, { object: 'list', data: page.data, has_more: page.has_more, url: `/v1/invoices/${invoiceId}/lines` });
      }
      if (id !== undefined) {
        for (const param of query.keys()) if (param !== 'expand') throw new StripeQueryError(`Received unknown parameter: ${param}`, param);
        const object = store.get(account, type, decodeURIComponent(id));
        if (!object) {
          return sendError(response, request, 404, { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: `No such ${type}: '${decodeURIComponent(id)}'` });
        }
        return sendApi(response, request, 200, served(object));
      }
      const page = listPage(collection, store.list(account, type), query);
      return sendApi(response, request, 200, { object: 'list', data: page.data.map(served), has_more: page.has_more, url: `/v1/${collection}` });
    } catch (error) {
      if (!(error instanceof StripeQueryError)) throw error;
      return sendError(response, request, error.status, {
        type: 'invalid_request_error',
        message: error.message,
        param: error.param,
        ...(error.code ? { code: error.code } : {}),
      });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
    reset: () => {
      faults = [];
      store.clear();
      // A key saved before the reset would replay an object the reset removed.
      writes.forgetIdempotencyKeys();
    },
  };
}

/** Every line of a seeded invoice, in its order. */
function linesOf(invoice: StripeObject): StripeObject[] {
  const lines = invoice.lines as { data?: unknown } | undefined;
  return Array.isArray(lines?.data) ? (lines.data as StripeObject[]) : [];
}

/** An object as Stripe answers it: an invoice with more lines than it embeds carries the first ones and `has_more`. */
function served(object: StripeObject): StripeObject {
  if (object.object !== 'invoice') return object;
  const lines = linesOf(object);
  if (lines.length <= EMBEDDED_INVOICE_LINES) return object;
  return { ...object, lines: { ...(object.lines as object), data: lines.slice(0, EMBEDDED_INVOICE_LINES), has_more: true, url: `/v1/invoices/${object.id}/lines` } };
}

function parseSeed(body: string): StripeObject[] {
  const parsed: unknown = JSON.parse(body || 'null');
  if (!Array.isArray(parsed)) throw new Error('POST /_sandbox/objects takes a JSON array of Stripe objects');
  const now = Math.floor(Date.now() / 1000);
  return parsed.map((object: unknown, index) => {
    const candidate = object as Partial<StripeObject> | null;
    if (typeof candidate?.id !== 'string' || typeof candidate.object !== 'string' || candidate.id === '') {
      throw new Error(`object ${index} needs a string "id" and "object"`);
    }
    // Lists filter and sort on `created`: an object seeded without one is as new as the seeding.
    return { ...candidate, created: typeof candidate.created === 'number' ? candidate.created : now } as StripeObject;
  });
}

/** `Authorization: Bearer sk_…`, or basic auth with the key as user name (`curl -u sk_test_…:`). */
function apiKeyOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, credentials = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return credentials.trim() || undefined;
  if (scheme?.toLowerCase() === 'basic') return Buffer.from(credentials, 'base64').toString('utf8').split(':')[0] || undefined;
  return header;
}

function accountOf(request: IncomingMessage): string | null {
  const header = request.headers['stripe-account'];
  return typeof header === 'string' && header.length > 0 ? header : null;
}

/** As Stripe prints a wrong key: its prefix and last four characters only. */
function maskKey(key: string): string {
  const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(0, Math.min(key.length - prefix.length - 4, 24)))}${key.slice(-4)}`;
}

function faultBody(status: number): StripeErrorBody {
  if (status === 429) {
    return { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.' };
  }
  if (status >= 500) return { type: 'api_error', message: 'An unknown error occurred' };
  return { type: 'invalid_request_error', message: `Sandbox fault ${status}` };
}

function sendApi(response: ServerResponse, request: IncomingMessage, status: number, body: unknown): void {
  response.setHeader('Request-Id', `req_${randomBytes(7).toString('hex')}`);
  const version = request.headers['stripe-version'];
  response.setHeader('Stripe-Version', typeof version === 'string' && version ? version : SANDBOX_STRIPE_API_VERSION);
  sendJson(response, status, body);
}

function sendError(response: ServerResponse, request: IncomingMessage, status: number, error: StripeErrorBody): void {
  const requestId = `req_${randomBytes(7).toString('hex')}`;
  response.setHeader('Request-Id', requestId);
  const body: Record<string, unknown> = { ...error };
  if (error.code) body.doc_url = `https://stripe.com/docs/error-codes/${error.code.replaceAll('_', '-')}`;
  body.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}`;
  if (status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="Stripe"');
  const version = request.headers['stripe-version'];
  if (typeof version === 'string' && version) response.setHeader('Stripe-Version', version);
  sendJson(response, status, { error: body });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

