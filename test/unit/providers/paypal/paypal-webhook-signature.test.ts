import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { PaypalCertificateStore } from '../../../../functions/providers/paypal/paypal-certificates';
import {
  paypalBodyCrc32,
  paypalSignedMessage,
  verifyPaypalWebhookSignature,
} from '../../../../functions/providers/paypal/paypal-webhook-signature';
import { createTestSigningIdentity, type TestSigningIdentity } from '../../../../local/sandboxes/paypal/self-signed-certificate';
import { paypalWebhookSigner } from '../../../../local/sandboxes/paypal/webhook-signer';

const FIXTURES = join(__dirname, '../../../fixtures/paypal');
const VECTORS = JSON.parse(readFileSync(join(FIXTURES, 'signature_vector.DERIVED.json'), 'utf8')) as {
  paypal_derived: { transmissionId: string; transmissionTime: string; webhookId: string; crc32_unsigned_decimal: number; message: string };
};
const CERT_URL = 'https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-b0d12406';
const WEBHOOK_ID = '1JE4291016473214C';
const NOW = Date.parse('2026-03-02T10:00:00Z');

/** A fetch that serves `pem` at CERT_URL and counts its calls; any other URL is a 404. */
function certificateServer(pem: string) {
  return vi.fn(async (input: string | URL | Request) => (String(input) === CERT_URL ? new Response(pem, { status: 200 }) : new Response('', { status: 404 })));
}

describe('PayPal webhook signature', () => {
  let identity: TestSigningIdentity;
  let otherIdentity: TestSigningIdentity;
  const rawBody = readFileSync(join(FIXTURES, 'PAYMENT.CAPTURE.COMPLETED.simulator.json'), 'utf8');

  beforeAll(() => {
    const validity = { notBefore: new Date(NOW - 86_400_000), notAfter: new Date(NOW + 86_400_000 * 365), modulusLength: 2048 };
    identity = createTestSigningIdentity(validity);
    otherIdentity = createTestSigningIdentity(validity);
  });

  function signedRequest(body: string, options: { identity?: TestSigningIdentity; certUrl?: string; webhookId?: string; sentAt?: number } = {}) {
    const signer = paypalWebhookSigner({ identity: options.identity ?? identity, certUrl: options.certUrl ?? CERT_URL, webhookId: options.webhookId ?? WEBHOOK_ID });
    const headers = signer.headersFor(body, { transmissionTime: new Date(options.sentAt ?? NOW) });
    return (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  }

  function store(pem = identity.certificatePem, fetchImpl = certificateServer(pem)) {
    return { certificates: new PaypalCertificateStore({ fetch: fetchImpl as unknown as typeof fetch, now: () => NOW }), fetchImpl };
  }

  it('builds the signed message of the shared vector: crc32 of the raw body bytes, as unsigned decimal', () => {
    // Prepare
    const vector = VECTORS.paypal_derived;
    // Act
    const crc = paypalBodyCrc32(readFileSync(join(FIXTURES, 'PAYMENT.CAPTURE.COMPLETED.simulator.json')));
    const message = paypalSignedMessage({ ...vector, rawBody: readFileSync(join(FIXTURES, 'PAYMENT.CAPTURE.COMPLETED.simulator.json')) });
    // Assess
    expect(crc).toBe(vector.crc32_unsigned_decimal);
    expect(message).toBe(vector.message);
  });

  it('accepts a body signed with the key of the certificate at an allowed PayPal URL, fetching the certificate once', async () => {
    // Prepare
    const { certificates, fetchImpl } = store();
    // Act
    const first = await verifyPaypalWebhookSignature({ rawBody, header: signedRequest(rawBody), webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates });
    const second = await verifyPaypalWebhookSignature({ rawBody, header: signedRequest(rawBody), webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates });
    // Assess
    expect(first).toMatchObject({ valid: true });
    expect(second).toMatchObject({ valid: true });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('refuses with 401 a body changed by one byte, re-serialized JSON, another webhook id, or a key the certificate does not hold', async () => {
    // Prepare
    const { certificates } = store();
    const verify = (body: string, header: (name: string) => string | undefined) =>
      verifyPaypalWebhookSignature({ rawBody: body, header, webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates });
    // Act
    const tampered = await verify(rawBody.replace('"2.51"', '"2.52"'), signedRequest(rawBody));
    const reserialized = await verify(JSON.stringify(JSON.parse(rawBody)), signedRequest(rawBody));
    const otherWebhook = await verify(rawBody, signedRequest(rawBody, { webhookId: 'WH-OTHER' }));
    const forgedKey = await verify(rawBody, signedRequest(rawBody, { identity: otherIdentity }));
    // Assess
    for (const check of [tampered, reserialized, otherWebhook, forgedKey]) expect(check).toEqual({ valid: false, status: 401, reason: 'signature mismatch' });
  });

  it('refuses a stale or future transmission with 401 before fetching any certificate', async () => {
    // Prepare
    const { certificates, fetchImpl } = store();
    // Act
    const stale = await verifyPaypalWebhookSignature({ rawBody, header: signedRequest(rawBody, { sentAt: NOW - 301_000 }), webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates });
    const future = await verifyPaypalWebhookSignature({ rawBody, header: signedRequest(rawBody, { sentAt: NOW + 301_000 }), webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates });
    // Assess
    expect(stale).toMatchObject({ valid: false, status: 401, reason: 'transmission time outside the window' });
    expect(future).toMatchObject({ valid: false, status: 401 });
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('never fetches a certificate from outside the allow-list: another host, http, a look-alike host, credentials, another path', async () => {
    // Prepare
    const { certificates, fetchImpl } = store();
    const urls = [
      'https://evil.example/v1/notifications/certs/CERT-1',
      'http://api.paypal.com/v1/notifications/certs/CERT-1',
      'https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1',
      'https://user:pw@api.paypal.com/v1/notifications/certs/CERT-1',
      'https://api.paypal.com/v1/other/CERT-1',
      'not a url',
    ];
    // Act
    const checks = await Promise.all(
      urls.map((certUrl) => verifyPaypalWebhookSignature({ rawBody, header: signedRequest(rawBody, { certUrl }), webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates })),
    );
    // Assess
    for (const check of checks) expect(check).toMatchObject({ valid: false, status: 401 });
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('refuses an expired or not yet valid certificate with 401, and a PayPal that cannot be reached with 503', async () => {
    // Prepare
    const expired = createTestSigningIdentity({ notBefore: new Date(NOW - 2 * 86_400_000), notAfter: new Date(NOW - 86_400_000), modulusLength: 1024 });
    const early = createTestSigningIdentity({ notBefore: new Date(NOW + 86_400_000), notAfter: new Date(NOW + 2 * 86_400_000), modulusLength: 1024 });
    const down = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    // Act
    const withExpired = await verifyPaypalWebhookSignature({
      rawBody, header: signedRequest(rawBody, { identity: expired }), webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates: store(expired.certificatePem).certificates,
    });
    const withEarly = await verifyPaypalWebhookSignature({
      rawBody, header: signedRequest(rawBody, { identity: early }), webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates: store(early.certificatePem).certificates,
    });
    const unreachable = await verifyPaypalWebhookSignature({
      rawBody, header: signedRequest(rawBody), webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates: store(identity.certificatePem, down as never).certificates,
    });
    // Assess
    expect(withExpired).toMatchObject({ valid: false, status: 401, reason: expect.stringContaining('expired') });
    expect(withEarly).toMatchObject({ valid: false, status: 401, reason: expect.stringContaining('not valid before') });
    expect(unreachable).toMatchObject({ valid: false, status: 503 });
  });

  it('refuses with 401 a URL PayPal does not know (404) and remembers it for a minute instead of asking again', async () => {
    // Prepare
    const fetchImpl = vi.fn(async () => new Response('', { status: 404 }));
    const { certificates } = store(identity.certificatePem, fetchImpl as never);
    const header = signedRequest(rawBody, { certUrl: 'https://api.paypal.com/v1/notifications/certs/CERT-unknown' });
    // Act
    const first = await verifyPaypalWebhookSignature({ rawBody, header, webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates });
    const second = await verifyPaypalWebhookSignature({ rawBody, header, webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates });
    // Assess
    expect(first).toMatchObject({ valid: false, status: 401, reason: 'the certificate URL answered 404' });
    expect(second).toMatchObject({ valid: false, status: 401 });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('answers 400 for a request that is not signed at all or whose headers cannot be read', async () => {
    // Prepare
    const { certificates } = store();
    const good = signedRequest(rawBody);
    const without = (name: string) => (header: string) => (header === name ? undefined : good(header));
    const replaced = (name: string, value: string) => (header: string) => (header === name ? value : good(header));
    // Act
    const checks = await Promise.all(
      [
        without('paypal-transmission-sig'),
        without('paypal-cert-url'),
        replaced('paypal-transmission-time', 'yesterday'),
        replaced('paypal-auth-algo', 'SHA1withRSA'),
        replaced('paypal-transmission-sig', 'not base64!'),
      ].map((header) => verifyPaypalWebhookSignature({ rawBody, header, webhookId: WEBHOOK_ID, nowSeconds: NOW / 1000, certificates })),
    );
    // Assess
    for (const check of checks) expect(check).toMatchObject({ valid: false, status: 400 });
  });

  it('allows an http loopback origin only when the configuration lists it (the local stage and its sandbox)', () => {
    // Prepare
    const local = new PaypalCertificateStore({ allowedOrigins: ['http://127.0.0.1:4010'] });
    const deployed = new PaypalCertificateStore();
    const url = 'http://127.0.0.1:4010/v1/notifications/certs/CERT-sandbox';
    // Act & Assess
    expect(local.refusalOf(url)).toBeUndefined();
    expect(deployed.refusalOf(url)).toMatch(/not fetched from/);
    expect(local.refusalOf('https://api.paypal.com/v1/notifications/certs/CERT-1')).toMatch(/not fetched from/);
  });
});
