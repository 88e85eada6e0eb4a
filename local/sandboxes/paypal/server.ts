import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../read-body';
import { createTestSigningIdentity, type TestSigningIdentity } from './self-signed-certificate';
import { paypalWebhookSigner } from './webhook-signer';

/** The REST app credentials the sandbox accepts unless told otherwise. */
export const SANDBOX_PAYPAL_CLIENT_ID = 'sandbox-client-id';
export const SANDBOX_PAYPAL_CLIENT_SECRET = 'sandbox-client-secret';
/** The webhook id the sandbox signs for unless told otherwise (the local stage's `paypal.webhookId`). */
export const SANDBOX_PAYPAL_WEBHOOK_ID = 'WH-SANDBOX-LOCAL';
const CERTIFICATE_NAME = 'CERT-sandbox-local';

/** Collections served as `GET <path>/<id>`, by the kind seeded. */
const COLLECTIONS = {
  capture: '/v2/payments/captures/',
  refund: '/v2/payments/refunds/',
  authorization: '/v2/payments/authorizations/',
  order: '/v2/checkout/orders/',
  sale: '/v1/payments/sale/',
  subscription: '/v1/billing/subscriptions/',
  plan: '/v1/billing/plans/',
  invoice: '/v2/invoicing/invoices/',
  dispute: '/v1/customer/disputes/',
} as const;
export type PaypalSandboxKind = keyof typeof COLLECTIONS;

export interface PaypalSandboxOptions {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  webhookId?: string;
  /** Seconds a token lives (PayPal's are ~9 hours); short values let tests see a renewal. */
  tokenLifetimeSeconds?: number;
  /** Bits of the signing key: 2048 as PayPal; tests may take 1024 to start faster. */
  modulusLength?: number;
}

export interface PaypalSandbox {
  url: string;
  port: number;
  webhookId: string;
  /** Where the signing certificate is served: the `PAYPAL-CERT-URL` of every webhook the sandbox signs. */
  certUrl: string;
  /** The origin the local stage adds to the certificate allow-list (`paypal.certificateOrigins`). */
  certificateOrigin: string;
  identity: TestSigningIdentity;
  /** Headers of one signed delivery of `rawBody`, as PayPal would send them. */
  signedHeaders(rawBody: string, options?: { transmissionTime?: Date }): Record<string, string>;
  /** POSTs a webhook event, signed, to a receiver (the local stack's `/webhooks/paypal`): its answer. */
  deliver(targetUrl: string, event: unknown): Promise<{ status: number; body: string }>;
  seed(kind: PaypalSandboxKind, objects: ReadonlyArray<Record<string, unknown>>): void;
  /** How many tokens were issued (clients should cache theirs). */
  readonly tokensIssued: number;
  reset(): void;
  close(): Promise<void>;
}

interface Fault {
  status: number;
  remaining: number;
  pathPrefix: string;
  retryAfterSeconds?: number;
}

/**
 * PayPal for the local stack and the tests, with no PayPal account: the read API the stack uses (OAuth2 client
 * credentials at `POST /v1/oauth2/token`, bearer tokens, PayPal's error bodies and 404 `RESOURCE_NOT_FOUND`), the
 * webhook signing certificate at `/v1/notifications/certs/…`, and a signer of webhooks with the sandbox's own key
 * pair. Objects are seeded (`seed`, or `POST /_sandbox/objects` `{ kind, objects }`), faults injected
 * (`POST /_sandbox/faults` `{ status, remaining, pathPrefix, retryAfterSeconds }`) to exercise clients' retries;
 * `POST /_sandbox/deliver` `{ targetUrl, event }` signs and delivers a webhook from another process (`npm run demo`).
 * `GET /v1/reporting/transactions` (Transaction Search) is derived from the captures, sales and refunds held.
 *
 * The certificate is served over http on 127.0.0.1: the stack accepts it only where the stage lists the sandbox's
 * origin among the certificate origins, which only the local stage does (deployed stages keep PayPal's hosts).
 */
export async function startPaypalSandbox(options: PaypalSandboxOptions = {}): Promise<PaypalSandbox> {
  const clientId = options.clientId ?? SANDBOX_PAYPAL_CLIENT_ID;
  const clientSecret = options.clientSecret ?? SANDBOX_PAYPAL_CLIENT_SECRET;
  const webhookId = options.webhookId ?? SANDBOX_PAYPAL_WEBHOOK_ID;
  const tokenLifetime = options.tokenLifetimeSeconds ?? 32_400;
  const identity = createTestSigningIdentity({ modulusLength: options.modulusLength ?? 2048, commonName: 'messageverificationcerts.sandbox.local' });
  const objects = new Map<PaypalSandboxKind, Map<string, Record<string, unknown>>>();
  const tokens = new Map<string, number>();
  const faults: Fault[] = [];
  let tokensIssued = 0;

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'Content-Type': 'application/json', 'Paypal-Debug-Id': randomBytes(6).toString('hex'), ...headers });
    response.end(body === undefined ? '' : JSON.stringify(body));
  };
  const paypalError = (name: string, message: string) => ({ name, message, debug_id: randomBytes(6).toString('hex'), links: [] });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const path = url.pathname;

    if (request.method === 'POST' && path === '/_sandbox/objects') {
      const { kind, objects: seeded } = JSON.parse(await readBody(request, 20 * 1024 * 1024)) as { kind: PaypalSandboxKind; objects: Array<Record<string, unknown>> };
      if (!(kind in COLLECTIONS)) return send(response, 400, paypalError('INVALID_REQUEST', `unknown kind ${kind}`));
      sandbox.seed(kind, seeded);
      return send(response, 200, { seeded: seeded.length });
    }
    if (request.method === 'POST' && path === '/_sandbox/deliver') {
      // PayPal delivering a webhook: the event signed with the sandbox's key (webhook-signer.ts), POSTed to a local receiver.
      const { targetUrl, event } = JSON.parse(await readBody(request, 20 * 1024 * 1024)) as { targetUrl?: string; event?: unknown };
      const target = targetUrl === undefined ? undefined : new URL(targetUrl);
      if (target === undefined || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname) || event === undefined) {
        return send(response, 400, paypalError('INVALID_REQUEST', 'give { targetUrl, event }, the target on this machine'));
      }
      return send(response, 200, await sandbox.deliver(target.href, event));
    }
    if (request.method === 'POST' && path === '/_sandbox/faults') {
      const fault = JSON.parse(await readBody(request, 1024 * 1024)) as Fault;
      faults.push({ ...fault, pathPrefix: fault.pathPrefix ?? '/' });
      return send(response, 200, { queued: true });
    }
    if (request.method === 'GET' && path === `/v1/notifications/certs/${CERTIFICATE_NAME}`) {
      response.writeHead(200, { 'Content-Type': 'application/x-pem-file' });
      response.end(identity.certificatePem);
      return;
    }

    const fault = faults.find((candidate) => candidate.remaining > 0 && path.startsWith(candidate.pathPrefix));
    if (fault !== undefined) {
      fault.remaining--;
      const name = fault.status === 429 ? 'RATE_LIMIT_REACHED' : 'INTERNAL_SERVICE_ERROR';
      return send(response, fault.status, paypalError(name, 'injected fault'), fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) });
    }

    if (request.method === 'POST' && path === '/v1/oauth2/token') {
      const body = new URLSearchParams(await readBody(request, 64 * 1024));
      const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const [id, secret] = Buffer.from(basic ?? '', 'base64').toString('utf8').split(':');
      if (id !== clientId || secret !== clientSecret) return send(response, 401, { error: 'invalid_client', error_description: 'Client Authentication failed' });
      if (body.get('grant_type') !== 'client_credentials') return send(response, 400, { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' });
      const token = `A21AA${randomBytes(24).toString('base64url')}`;
      tokens.set(token, Date.now() + tokenLifetime * 1000);
      tokensIssued++;
      return send(response, 200, { scope: 'https://uri.paypal.com/services/invoicing', access_token: token, token_type: 'Bearer', app_id: 'APP-SANDBOX', expires_in: tokenLifetime, nonce: randomUUID() });
    }

    if (request.method !== 'GET') return send(response, 405, paypalError('METHOD_NOT_SUPPORTED', 'the sandbox serves reads only'));
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const expiresAt = bearer === undefined ? undefined : tokens.get(bearer);
    if (expiresAt === undefined || expiresAt < Date.now()) return send(response, 401, { error: 'invalid_token', error_description: 'Token signature verification failed' });

    if (path === '/v1/reporting/transactions') {
      const answer = transactionSearch(objects, url.searchParams);
      return answer.ok ? send(response, 200, answer.body) : send(response, 400, paypalError('INVALID_REQUEST', answer.error));
    }

    for (const [kind, prefix] of Object.entries(COLLECTIONS) as Array<[PaypalSandboxKind, string]>) {
      if (!path.startsWith(prefix)) continue;
      const id = decodeURIComponent(path.slice(prefix.length));
      if (id === '' || id.includes('/')) break;
      const found = objects.get(kind)?.get(id);
      if (found === undefined) return send(response, 404, paypalError('RESOURCE_NOT_FOUND', 'The specified resource does not exist.'));
      return send(response, 200, found);
    }
    return send(response, 404, paypalError('NOT_FOUND', `no route ${path}`));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, paypalError('INTERNAL_SERVICE_ERROR', error instanceof Error ? error.message : String(error))));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const certUrl = `${url}/v1/notifications/certs/${CERTIFICATE_NAME}`;
  const signer = paypalWebhookSigner({ identity, certUrl, webhookId });

  const sandbox: PaypalSandbox = {
    url,
    port,
    webhookId,
    certUrl,
    certificateOrigin: url,
    identity,
    signedHeaders: (rawBody, signOptions) => signer.headersFor(rawBody, signOptions),
    async deliver(targetUrl, event) {
      const rawBody = JSON.stringify(event);
      const answer = await fetch(targetUrl, { method: 'POST', headers: signer.headersFor(rawBody), body: rawBody });
      return { status: answer.status, body: await answer.text() };
    },
    seed(kind, seeded) {
      const collection = objects.get(kind) ?? new Map<string, Record<string, unknown>>();
      for (const object of seeded) {
        // Disputes are named by `dispute_id`, everything else by `id`.
        const id = String(object['id'] ?? object['dispute_id'] ?? '');
        if (id === '') throw new Error(`a seeded ${kind} needs an id`);
        collection.set(id, object);
      }
      objects.set(kind, collection);
    },
    get tokensIssued() {
      return tokensIssued;
    },
    reset() {
      objects.clear();
      tokens.clear();
      faults.length = 0;
      tokensIssued = 0;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
  return sandbox;
}

const MAX_SEARCH_RANGE_MS = 31 * 86_400_000;
const MAX_PAGE_SIZE = 500;

type Held = Map<PaypalSandboxKind, Map<string, Record<string, unknown>>>;
type Money = { currency_code: string; value: string };

/** `{ status: 'COMPLETED' }` (v2) or `{ state: 'completed' }` (v1) → the Transaction Search status letter. */
function statusLetter(object: Record<string, unknown>): string {
  const status = String(object['status'] ?? object['state'] ?? '').toUpperCase();
  if (status === 'PENDING') return 'P';
  if (status === 'DECLINED' || status === 'FAILED' || status === 'DENIED') return 'D';
  if (status === 'REFUNDED' || status === 'REVERSED') return 'V';
  return 'S';
}

function negated(money: Money): Money {
  return { ...money, value: money.value.startsWith('-') ? money.value.slice(1) : `-${money.value}` };
}

/** The id after `path` in one of an object's links (`rel`), as PayPal links a refund to its capture. */
function linked(object: Record<string, unknown>, rel: string, path: string): string | undefined {
  const links = (object['links'] ?? []) as Array<{ href?: string; rel?: string }>;
  const href = links.find((link) => link.rel === rel && link.href?.includes(path))?.href;
  return href === undefined ? undefined : href.slice(href.indexOf(path) + path.length).split(/[/?]/)[0];
}

/**
 * `GET /v1/reporting/transactions`, derived from what the sandbox holds, as PayPal's Transaction Search lists an
 * account's balance-affecting transactions: each capture (T0006, the payer from its order), each subscription sale
 * (T0002, the payer from its subscription), each capture or sale refund (T1107, negative, naming the refunded
 * transaction). Filtered on the transaction's creation time; PayPal's limits refused as PayPal does: a range of
 * more than 31 days, a page size above 500.
 */
function transactionSearch(objects: Held, query: URLSearchParams): { ok: true; body: Record<string, unknown> } | { ok: false; error: string } {
  const start = Date.parse(query.get('start_date') ?? '');
  const end = Date.parse(query.get('end_date') ?? '');
  if (Number.isNaN(start) || Number.isNaN(end)) return { ok: false, error: 'start_date and end_date are required ISO 8601 times' };
  if (end < start || end - start > MAX_SEARCH_RANGE_MS) return { ok: false, error: 'Date range is greater than 31 days' };
  const pageSize = Number(query.get('page_size') ?? 100);
  const page = Number(query.get('page') ?? 1);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) return { ok: false, error: 'page_size must be between 1 and 500' };
  if (!Number.isInteger(page) || page < 1) return { ok: false, error: 'page must be 1 or more' };

  const held = (kind: PaypalSandboxKind) => [...(objects.get(kind)?.values() ?? [])];
  const payerOfOrder = (orderId: unknown) => (objects.get('order')?.get(String(orderId))?.['payer'] as { payer_id?: string } | undefined)?.payer_id;
  const payerOfSubscription = (subscriptionId: unknown) => (objects.get('subscription')?.get(String(subscriptionId))?.['subscriber'] as { payer_id?: string } | undefined)?.payer_id;
  const rows: Array<{ time: number; row: Record<string, unknown> }> = [];
  const add = (time: unknown, info: Record<string, unknown>, payer: string | undefined) => {
    const at = Date.parse(String(time ?? ''));
    if (Number.isNaN(at) || at < start || at > end) return;
    rows.push({ time: at, row: { transaction_info: { transaction_initiation_date: new Date(at).toISOString().replace(/\.\d{3}Z$/, '+0000'), ...info }, ...(payer ? { payer_info: { account_id: payer } } : {}) } });
  };
  for (const capture of held('capture')) {
    const related = (capture['supplementary_data'] as { related_ids?: { order_id?: string } } | undefined)?.related_ids;
    add(capture['create_time'], {
      transaction_id: capture['id'],
      transaction_event_code: 'T0006',
      transaction_status: statusLetter(capture),
      transaction_amount: capture['amount'],
      ...(related?.order_id ? { paypal_reference_id: related.order_id, paypal_reference_id_type: 'ODR' } : {}),
      ...(capture['invoice_id'] ? { invoice_id: capture['invoice_id'] } : {}),
    }, payerOfOrder(related?.order_id));
  }
  for (const sale of held('sale')) {
    const amount = sale['amount'] as { total: string; currency: string };
    add(sale['create_time'], {
      transaction_id: sale['id'],
      transaction_event_code: 'T0002',
      transaction_status: statusLetter(sale),
      transaction_amount: { currency_code: amount.currency, value: amount.total },
      ...(sale['billing_agreement_id'] ? { paypal_reference_id: sale['billing_agreement_id'], paypal_reference_id_type: 'SUB' } : {}),
    }, payerOfSubscription(sale['billing_agreement_id']));
  }
  for (const refund of held('refund')) {
    const v1 = refund['amount'] as { total?: string; currency?: string } & Partial<Money>;
    const amount: Money = v1.currency_code !== undefined ? { currency_code: v1.currency_code, value: String(v1.value) } : { currency_code: String(v1.currency), value: String(v1.total) };
    const refunded = refund['sale_id'] ?? linked(refund, 'up', '/v2/payments/captures/');
    add(refund['create_time'], {
      transaction_id: refund['id'],
      transaction_event_code: 'T1107',
      transaction_status: statusLetter(refund),
      transaction_amount: negated(amount),
      ...(refunded ? { paypal_reference_id: refunded, paypal_reference_id_type: 'TXN' } : {}),
    }, undefined);
  }
  rows.sort((a, b) => a.time - b.time);
  const totalPages = Math.max(1, Math.ceil(rows.length / pageSize));
  return {
    ok: true,
    body: {
      transaction_details: rows.slice((page - 1) * pageSize, page * pageSize).map(({ row }) => row),
      account_number: 'SANDBOXACCOUNT',
      start_date: query.get('start_date'),
      end_date: query.get('end_date'),
      last_refreshed_datetime: new Date().toISOString(),
      page,
      total_items: rows.length,
      total_pages: totalPages,
      links: [],
    },
  };
}
