/**
 * The catalog's JSON Schemas (draft 2020-12), for consumers outside TypeScript. `npm run schemas`
 * writes them to events/schemas/; a test fails when the committed files and the zod schemas disagree.
 * Kept apart from catalog.ts so the JSON Schema generator never lands in a Lambda bundle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { EVENT_CATALOG } from './catalog';

export const SCHEMA_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'schemas');

/** File name → file content of every catalog entry's JSON Schema. */
export function renderCatalogSchemaFiles(): Record<string, string> {
  return Object.fromEntries(
    EVENT_CATALOG.map(({ type, version, schema }) => [
      `${type}.v${version}.schema.json`,
      `${JSON.stringify({ $id: `urn:odoo-saas-sync:event:${type}:v${version}`, ...z.toJSONSchema(schema) }, null, 2)}\n`,
    ]),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const [file, content] of Object.entries(renderCatalogSchemaFiles())) {
    writeFileSync(join(SCHEMA_DIR, file), content);
    console.log(`wrote events/schemas/${file}`);
  }
}
