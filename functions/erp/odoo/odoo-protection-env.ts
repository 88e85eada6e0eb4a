import * as z from 'zod/mini';

/**
 * The stage's Odoo protection (lib/config/stages.ts `odoo.maxRequestsPerSecond`, `odoo.maxConcurrentRequests`),
 * as the stack passes it to every function that calls Odoo. Required: a function deployed without them is a
 * stack bug, and falling back to a default would silently ignore what the operator configured.
 */
export const ODOO_PROTECTION_ENV = {
  ODOO_MAX_REQUESTS_PER_SECOND: z.coerce.number().check(z.positive(), z.maximum(100)),
  ODOO_MAX_CONCURRENT_REQUESTS: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(16)),
};

/** The OdooClient connection settings of that protection (per container: the client's limits are per database and container). */
export function odooProtectionSettings(env: { ODOO_MAX_REQUESTS_PER_SECOND: number; ODOO_MAX_CONCURRENT_REQUESTS: number }): {
  ratePerSecond: number;
  maxConcurrency: number;
} {
  return { ratePerSecond: env.ODOO_MAX_REQUESTS_PER_SECOND, maxConcurrency: env.ODOO_MAX_CONCURRENT_REQUESTS };
}
