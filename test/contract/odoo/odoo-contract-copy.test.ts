import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const COPY = fileURLToPath(new URL('./odoo-contract/', import.meta.url));
/** The recording the project shares, beside the repository (present in CI and on the team's machines). */
const SHARED = fileURLToPath(new URL('../../../../shared/odoo-contract/', import.meta.url));

describe('the Odoo contract copied into the repository', () => {
  it.runIf(existsSync(SHARED))('is identical to the shared recording, file for file', () => {
    for (const folder of ['18.0', '19.0-json2']) {
      const shared = readdirSync(join(SHARED, folder)).sort();
      expect(readdirSync(join(COPY, folder)).sort(), folder).toEqual(shared);
      for (const file of shared) {
        expect(readFileSync(join(COPY, folder, file), 'utf8'), `${folder}/${file}`).toBe(readFileSync(join(SHARED, folder, file), 'utf8'));
      }
    }
  });

  it('holds both recordings with their index', () => {
    for (const folder of ['18.0', '19.0-json2']) {
      const index = JSON.parse(readFileSync(join(COPY, folder, 'index.json'), 'utf8')) as { order: Array<{ name: string }> };
      expect(index.order.length).toBeGreaterThan(40);
      for (const { name } of index.order) expect(existsSync(join(COPY, folder, `${name}.json`)), `${folder}/${name}`).toBe(true);
    }
  });
});
