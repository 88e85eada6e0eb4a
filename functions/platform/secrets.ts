import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/** Secrets are cached in the warm function for this long; a rotated value is picked up after it. */
const SECRET_CACHE_SECONDS = 300;

export class SecretNotFoundError extends Error {
  constructor(name: string) {
    super(`secret "${name}" has no string value in Secrets Manager`);
    this.name = 'SecretNotFoundError';
  }
}

/** A Secrets Manager string secret, cached; `forceFetch` bypasses the cache (e.g. after an auth failure). */
export async function readSecret(name: string, options: { forceFetch?: boolean } = {}): Promise<string> {
  const value = await getSecret<string>(name, { maxAge: SECRET_CACHE_SECONDS, forceFetch: options.forceFetch ?? false });
  if (typeof value !== 'string' || value.length === 0) throw new SecretNotFoundError(name);
  return value;
}
