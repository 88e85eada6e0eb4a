import type { ApiKeyProvider } from '../erp/odoo/odoo-transport';
import { readSecret } from './secrets';

/**
 * The Odoo API key from Secrets Manager, cached. When Odoo rejects it, the client calls
 * `invalidate()` and the next read goes to Secrets Manager: a rotated key works without a deploy.
 */
export function secretApiKeyProvider(secretName: string): ApiKeyProvider {
  let stale = false;
  return {
    async get() {
      const value = await readSecret(secretName, { forceFetch: stale });
      stale = false;
      return value.trim();
    },
    invalidate() {
      stale = true;
    },
  };
}
