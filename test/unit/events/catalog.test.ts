import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalEventSchema, EVENT_CATALOG } from '../../../events/catalog';
import { renderCatalogSchemaFiles, SCHEMA_DIR } from '../../../events/export-json-schema';
import { upcastCanonical } from '../../../events/upcast';
import { ROUTES, SAGA_ROUTES, UNROUTED } from '../../../lib/routing';

const SAMPLE_DIR = join(SCHEMA_DIR, '..', 'samples');

describe('canonical event catalog', () => {
  it('has its JSON Schemas exported and up to date (run `npm run schemas` after changing a schema)', () => {
    // Prepare
    const expected = renderCatalogSchemaFiles();
    // Act
    const committed = Object.fromEntries(readdirSync(SCHEMA_DIR).map((file) => [file, readFileSync(join(SCHEMA_DIR, file), 'utf8')]));
    // Assess
    expect(Object.keys(committed).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, content] of Object.entries(expected)) expect(committed[file], file).toBe(content);
  });

  it('has a sample for every type and version, and every sample is valid', () => {
    const samples = readdirSync(SAMPLE_DIR);
    for (const { type, version, schema } of EVENT_CATALOG) {
      const file = `${type}.v${version}.json`;
      expect(samples, `missing sample ${file}`).toContain(file);
      const sample: unknown = JSON.parse(readFileSync(join(SAMPLE_DIR, file), 'utf8'));
      expect(schema.safeParse(sample).success, file).toBe(true);
      expect(canonicalEventSchema.safeParse(sample).success, file).toBe(true);
    }
  });

  it('reads an archived event of an older version, upcast to the current one (nothing invented: no links, no tax id)', () => {
    const older = readdirSync(SAMPLE_DIR).filter((file) => EVENT_CATALOG.some(({ type, version }) => file.startsWith(`${type}.v`) && file !== `${type}.v${version}.json`));
    expect(older.sort()).toEqual(['account.merged.v1.json', 'account.upserted.v1.json', 'customer.upserted.v1.json']);
    for (const file of older) {
      const sample: unknown = JSON.parse(readFileSync(join(SAMPLE_DIR, file), 'utf8'));
      expect(canonicalEventSchema.safeParse(sample).success, `${file} as is`).toBe(false);
      const upcast = canonicalEventSchema.parse(upcastCanonical(sample));
      expect(upcast.dataVersion, file).toBe(2);
      const record = 'customer' in upcast.data ? upcast.data.customer : 'account' in upcast.data ? upcast.data.account : undefined;
      expect(record, file).toMatchObject({ links: [], taxId: null });
    }
  });

  it('rejects an event with an unknown field, a wrong version or a bad time', () => {
    const sample = JSON.parse(readFileSync(join(SAMPLE_DIR, 'customer.upserted.v2.json'), 'utf8'));
    expect(canonicalEventSchema.safeParse({ ...sample, extra: 1 }).success).toBe(false);
    expect(canonicalEventSchema.safeParse({ ...sample, dataVersion: 3 }).success).toBe(false);
    expect(canonicalEventSchema.safeParse({ ...sample, time: 'yesterday' }).success).toBe(false);
  });

  it('routes every catalog type to at least one flow or saga or lists it as unrouted (never both), and routes nothing outside the catalog', () => {
    const routed = [...new Set([...Object.values(ROUTES).flat(), ...Object.values(SAGA_ROUTES).flat()])];
    const catalogTypes = EVENT_CATALOG.map((entry) => entry.type);
    expect([...routed, ...UNROUTED].sort()).toEqual([...catalogTypes].sort());
    expect(new Set([...routed, ...UNROUTED]).size).toBe(routed.length + UNROUTED.length);
    // A flow lists a type once: its rule and its consumer's schema are built from the row.
    for (const types of Object.values(ROUTES)) expect(new Set(types).size).toBe(types.length);
  });

  it('routes one type to several flows where each needs it (billing facts to the books and to the entitlement)', () => {
    const flowsOf = (type: string) => Object.entries(ROUTES).filter(([, types]) => (types as readonly string[]).includes(type)).map(([flow]) => flow);
    expect(flowsOf('payment.succeeded').sort()).toEqual(['billing-sync', 'entitlements']);
    expect(flowsOf('subscription.updated').sort()).toEqual(['entitlements', 'subscription-sync']);
  });

  it('leaves what a saga starts on to the saga, not to the flow whose step it took over (billing-sync’s past-due standing)', () => {
    for (const types of Object.values(SAGA_ROUTES)) for (const type of types) expect(ROUTES['billing-sync'] as readonly string[]).not.toContain(type);
    // The entitlement is another concern: it follows the failed payment too.
    expect(ROUTES.entitlements).toContain('payment.failed');
  });
});
