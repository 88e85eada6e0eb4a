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
 * (`POST /_sandbox/faults` `{ status, remaining, pathPrefix, retryAfterSeconds }`) to exercise clients' retries.
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
