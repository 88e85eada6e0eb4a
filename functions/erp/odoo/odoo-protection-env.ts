import * as z from 'zod/mini';

/**
 * Past a fifth of a second, the window adds latency to every lone event without filling batches any better
 * (a consumer batch's records reach Odoo within milliseconds of each other).
 */
export const MAX_BATCH_WINDOW_MS = 200;
/** One merged call must finish within the client's timeout: a hundred invoices is already seconds of Odoo's work. */
export const MAX_BATCH_SIZE = 100;

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

/**
 * The stage's batching of Odoo writes (lib/config/stages.ts `odoo.batchWindowMs`, `odoo.maxBatchSize`), read by
 * the flow consumers only: they apply a batch's records concurrently, and call-coalescer.ts merges their calls of
 * the same kind made within the window into one Odoo call of at most that many members.
 */
export const ODOO_BATCHING_ENV = {
  ODOO_BATCH_WINDOW_MS: z.coerce.number().check(z.int(), z.minimum(0), z.maximum(MAX_BATCH_WINDOW_MS)),
  ODOO_MAX_BATCH_SIZE: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_BATCH_SIZE)),
};

export function odooBatchingSettings(env: { ODOO_BATCH_WINDOW_MS: number; ODOO_MAX_BATCH_SIZE: number }): { windowMs: number; maxBatchSize: number } {
  return { windowMs: env.ODOO_BATCH_WINDOW_MS, maxBatchSize: env.ODOO_MAX_BATCH_SIZE };
}
