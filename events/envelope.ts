import * as z from 'zod/mini';

/** EventBridge `source` of every canonical event: our namespace, never a provider's. */
export const CANONICAL_EVENT_SOURCE = 'odoo-saas-sync';

/** Systems a canonical event can come from (the envelope's `source`). */
export const sourceSystemSchema = z.enum(['stripe', 'paypal', 'hubspot', 'salesforce', 'zendesk', 'odoo']);
export type SourceSystem = z.infer<typeof sourceSystemSchema>;

/**
 * The canonical envelope (CloudEvents-shaped, DESIGN.md). `id` is derived from the provider event id so
 * that a redelivered webhook yields the same canonical id, which is what idempotency keys on.
 * Runtime schemas use `zod/mini`: the same validation at a fraction of the bundle size.
 */
export function canonicalEnvelope<Type extends string, Version extends number, Data extends z.ZodMiniType>(
  type: Type,
  dataVersion: Version,
  data: Data,
) {
  return z.strictObject({
    id: z.string().check(z.minLength(1), z.describe('stable id derived from the provider event id')),
    type: z.literal(type),
    source: sourceSystemSchema.check(z.describe('the system the change comes from')),
    subject: z.string().check(z.minLength(1), z.describe('canonical entity key, e.g. stripe:customer:cus_123')),
    time: z.iso.datetime({ offset: true }).check(z.describe('when the change happened at the provider')),
    correlationId: z.string().check(z.minLength(1), z.describe('ties every log line of this change together, ingest to Odoo')),
    causationId: z.string().check(z.minLength(1), z.describe('the provider event that caused this event')),
    dataVersion: z.literal(dataVersion),
    data,
  });
}

/** The entity key of a provider object: `<system>:<kind>:<id>`. */
export function entityKey(system: SourceSystem, kind: string, id: string): string {
  return `${system}:${kind}:${id}`;
}
