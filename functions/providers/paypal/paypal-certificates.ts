import { X509Certificate } from 'node:crypto';

/**
 * Where PayPal's webhook signing certificates may come from: PayPal's API hosts (live and sandbox, both API
 * host names), over https, under `/v1/notifications/certs/`. `PAYPAL-CERT-URL` is a header of the request we
 * are verifying, i.e. chosen by whoever sent it: a URL outside this list is refused without being fetched, or a
 * forger would sign with a key whose certificate they host themselves (and we would make requests they choose).
 * TLS to a PayPal host is what makes the certificate PayPal's.
 */
export const PAYPAL_CERTIFICATE_ORIGINS: readonly string[] = [
  'https://api.paypal.com',
  'https://api-m.paypal.com',
  'https://api.sandbox.paypal.com',
  'https://api-m.sandbox.paypal.com',
];
export const PAYPAL_CERTIFICATE_PATH_PREFIX = '/v1/notifications/certs/';

export type CertificateLookup =
  | { ok: true; certificate: X509Certificate }
  /**
   * `refused`: not a certificate we accept — an origin outside the allow-list, a URL PayPal does not know, not a
   * certificate, not RSA, outside its validity period (the request is refused: 401).
   * `unavailable`: PayPal could not be asked now (network, timeout, 5xx): a retry may succeed (503).
   */
  | { ok: false; kind: 'refused' | 'unavailable'; reason: string };

export interface PaypalCertificateStoreOptions {
  /**
   * Origins certificates may be fetched from (`https://host[:port]`). Defaults to PayPal's. The local stage adds
   * its sandbox's `http://127.0.0.1:<port>` (and only the local stage: stage config `paypal.certificateOrigins`).
   */
  allowedOrigins?: readonly string[];
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Certificates kept at most (a PayPal endpoint sees one or two at a time: they rotate rarely). */
  maxEntries?: number;
  timeoutMs?: number;
}

/** How long a refused URL is remembered, so a flood of forged requests naming one URL does not become a flood of fetches. */
const REFUSAL_MEMORY_MS = 60_000;
const DEFAULT_MAX_ENTRIES = 16;
const DEFAULT_TIMEOUT_MS = 5_000;

interface Entry {
  lookup: Promise<CertificateLookup>;
  /** When this entry stops being served: the certificate's end of validity, or the refusal memory. */
  until: number;
}

/**
 * PayPal signing certificates by URL: fetched once (concurrent verifications of one URL share the fetch), kept
 * until they expire, checked for their validity period on every use (a cached certificate expires too).
 */
export class PaypalCertificateStore {
  private readonly allowed: ReadonlySet<string>;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly maxEntries: number;
  private readonly timeoutMs: number;
  private readonly entries = new Map<string, Entry>();

  constructor(options: PaypalCertificateStoreOptions = {}) {
    this.allowed = new Set((options.allowedOrigins ?? PAYPAL_CERTIFICATE_ORIGINS).map((origin) => new URL(origin).origin));
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? (() => Date.now());
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Whether a `PAYPAL-CERT-URL` may be fetched at all; the reason when not. */
  refusalOf(certUrl: string): string | undefined {
    let url: URL;
    try {
      url = new URL(certUrl);
    } catch {
      return 'the certificate URL is not a URL';
    }
    if (url.username !== '' || url.password !== '') return 'the certificate URL carries credentials';
    if (!this.allowed.has(url.origin)) return `certificates are not fetched from ${url.protocol}//${url.host}`;
    if (url.protocol !== 'https:' && !isLoopback(url.hostname)) return 'certificates are fetched over https only';
    if (!url.pathname.startsWith(PAYPAL_CERTIFICATE_PATH_PREFIX)) return 'the certificate URL is not under /v1/notifications/certs/';
    return undefined;
  }

  async certificate(certUrl: string): Promise<CertificateLookup> {
    const refusal = this.refusalOf(certUrl);
    if (refusal !== undefined) return { ok: false, kind: 'refused', reason: refusal };
    const now = this.now();
    let entry = this.entries.get(certUrl);
    if (entry === undefined || entry.until <= now) {
      entry = this.load(certUrl);
      this.remember(certUrl, entry);
    }
    const lookup = await entry.lookup;
    if (!lookup.ok) return lookup;
    return withinValidity(lookup.certificate, this.now());
  }

  private load(certUrl: string): Entry {
    const entry: Entry = { lookup: this.fetchCertificate(certUrl), until: Number.POSITIVE_INFINITY };
    // Once known, an entry lives as long as it deserves: a certificate until it expires, a refusal a minute,
    // an unavailable PayPal not at all (the next request asks again).
    void entry.lookup.then((lookup) => {
      if (lookup.ok) entry.until = Date.parse(lookup.certificate.validTo);
      else if (lookup.kind === 'refused') entry.until = this.now() + REFUSAL_MEMORY_MS;
      else if (this.entries.get(certUrl) === entry) this.entries.delete(certUrl);
    });
    return entry;
  }

  private remember(certUrl: string, entry: Entry): void {
    this.entries.delete(certUrl);
    this.entries.set(certUrl, entry);
    // The oldest first (a Map keeps insertion order): forged URLs cannot grow the cache without bound.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  private async fetchCertificate(certUrl: string): Promise<CertificateLookup> {
    let response: Response;
    let text: string;
    try {
      // No redirect is followed: the allow-list applies to the URL that answers, not only to the one asked.
      response = await this.fetchImpl(certUrl, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      text = await response.text();
    } catch (cause) {
      return { ok: false, kind: 'unavailable', reason: `the certificate could not be fetched (${cause instanceof Error ? cause.name : 'error'})` };
    }
    if (response.status >= 500 || response.status === 429) return { ok: false, kind: 'unavailable', reason: `the certificate URL answered ${response.status}` };
    if (response.status !== 200) return { ok: false, kind: 'refused', reason: `the certificate URL answered ${response.status}` };
    // PayPal serves PEM, the signing certificate first and its chain after it.
    const firstPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
    if (firstPem === undefined) return { ok: false, kind: 'refused', reason: 'the certificate URL did not answer a PEM certificate' };
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(firstPem);
    } catch {
      return { ok: false, kind: 'refused', reason: 'the certificate URL answered a certificate that does not parse' };
    }
    if (certificate.publicKey.asymmetricKeyType !== 'rsa') return { ok: false, kind: 'refused', reason: 'the certificate is not an RSA certificate' };
    return { ok: true, certificate };
  }
}

function withinValidity(certificate: X509Certificate, now: number): CertificateLookup {
  if (now < Date.parse(certificate.validFrom)) return { ok: false, kind: 'refused', reason: `the certificate is not valid before ${certificate.validFrom}` };
  if (now > Date.parse(certificate.validTo)) return { ok: false, kind: 'refused', reason: `the certificate expired ${certificate.validTo}` };
  return { ok: true, certificate };
}

/** http is tolerated only for a loopback origin that the configuration lists (the local stage's sandbox). */
function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}
