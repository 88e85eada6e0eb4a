import { generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto';

/**
 * A self-signed RSA certificate, made in process, for the PayPal sandbox and the tests: they sign webhooks with a
 * key pair of their own, and the verifier reads the public key from a certificate as it does PayPal's. Node can
 * make keys and signatures but not certificates, and the other ways (the `openssl` binary, a certificate
 * package) would add a tool or a dependency to every machine that runs the tests; a certificate is a small DER
 * structure (RFC 5280), so the few encoders it needs are written here.
 */
export interface TestSigningIdentity {
  privateKey: KeyObject;
  /** PEM, as PayPal serves it at a `PAYPAL-CERT-URL`. */
  certificatePem: string;
  certificate: X509Certificate;
}

export interface CertificateOptions {
  commonName?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** 2048 unless told otherwise (tests may use 1024 to save time; PayPal uses 2048). */
  modulusLength?: number;
  /** The certificate's serial number; defaults to the current second. */
  serial?: number;
}

export function createTestSigningIdentity(options: CertificateOptions = {}): TestSigningIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
  const certificatePem = selfSignedCertificatePem(privateKey, publicKey, options);
  return { privateKey, certificatePem, certificate: new X509Certificate(certificatePem) };
}

export function selfSignedCertificatePem(privateKey: KeyObject, publicKey: KeyObject, options: CertificateOptions = {}): string {
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - 60 * 60 * 1000);
  const notAfter = options.notAfter ?? new Date(now + 365 * 24 * 60 * 60 * 1000);
  const name = distinguishedName(options.commonName ?? 'messageverificationcerts.sandbox.local');
  const sha256WithRsa = sequence(objectIdentifier([1, 2, 840, 113549, 1, 1, 11]), NULL);
  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(options.serial ?? Math.floor(now / 1000)),
    sha256WithRsa,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, sha256WithRsa, bitString(signature));
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

// --- DER (X.690), only what a certificate needs ---

const NULL = Buffer.from([0x05, 0x00]);

function tagged(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}

function sequence(...parts: Buffer[]): Buffer {
  return tagged(0x30, Buffer.concat(parts));
}

function explicit(index: number, content: Buffer): Buffer {
  return tagged(0xa0 + index, content);
}

function integer(value: number): Buffer {
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  if (bytes.length === 0) bytes.push(0);
  // A leading bit set would read as negative: DER pads it with a zero byte.
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tagged(0x02, Buffer.from(bytes));
}

function objectIdentifier(arcs: number[]): Buffer {
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tagged(0x06, Buffer.from(bytes));
}

function bitString(content: Buffer): Buffer {
  return tagged(0x03, Buffer.concat([Buffer.from([0]), content]));
}

function distinguishedName(commonName: string): Buffer {
  const attribute = sequence(objectIdentifier([2, 5, 4, 3]), tagged(0x0c, Buffer.from(commonName, 'utf8')));
  return sequence(tagged(0x31, attribute));
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? tagged(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tagged(0x18, Buffer.from(`${iso}Z`));
}
