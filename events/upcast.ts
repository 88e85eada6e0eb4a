/**
 * Old versions of a canonical event, brought to the current one before parsing, so that an event archived by the
 * bus before a schema change still replays into today's flows. Each step is the change its version made and only
 * adds what the newer version requires (with the value that says "not known"): it never invents data.
 *
 * - customer.upserted v1 → v2: the customer gained `links` (none known) and `taxId` (null).
 * - account.upserted / account.merged v1 → v2: the account gained `links` and `taxId`, the same way.
 */
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

const withIdentityFields = (record: unknown): unknown => (isObject(record) ? { links: [], taxId: null, ...record } : record);

const STEPS: Record<string, Record<number, (data: Json) => Json>> = {
  'customer.upserted': { 1: (data) => ({ ...data, customer: withIdentityFields(data.customer) }) },
  'account.upserted': { 1: (data) => ({ ...data, account: withIdentityFields(data.account) }) },
  'account.merged': { 1: (data) => ({ ...data, account: withIdentityFields(data.account) }) },
};

/** The event at the newest version its type has steps to; anything unknown passes untouched (the schema judges it). */
export function upcastCanonical(event: unknown): unknown {
  if (!isObject(event) || typeof event.type !== 'string' || typeof event.dataVersion !== 'number' || !isObject(event.data)) return event;
  const steps = STEPS[event.type];
  let current: Json = event;
  while (steps !== undefined && typeof current.dataVersion === 'number' && steps[current.dataVersion] !== undefined && isObject(current.data)) {
    const step = steps[current.dataVersion]!;
    current = { ...current, data: step(current.data), dataVersion: current.dataVersion + 1 };
  }
  return current;
}
