import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const outdir = mkdtempSync(join(tmpdir(), 'synth-test-'));
/** As on a fresh machine: no AWS credentials or region. */
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('CDK_')));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('npx cdk synth', () => {
  it('synthesizes stage prod offline, without AWS credentials, with every function bundled', async () => {
    // Some 70 functions bundled beside the end-to-end files on a 2-core CI machine: minutes, not seconds.
    await run(join(ROOT, 'node_modules/.bin/cdk'), ['synth', '-c', 'stage=prod', '--quiet', '-o', outdir], { cwd: ROOT, env, timeout: 360_000 });
    const template = JSON.parse(readFileSync(join(outdir, 'OdooSaasSync-prod.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, { Type: string; Metadata: Record<string, string> }>).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions.length).toBeGreaterThanOrEqual(2);
    for (const fn of functions) expect(existsSync(join(outdir, fn.Metadata['aws:asset:path']!, 'index.mjs'))).toBe(true);
  }, 420_000);

  it('refuses an unknown stage and lists the valid ones', async () => {
    const failure = await run(join(ROOT, 'node_modules/.bin/cdk'), ['synth', '-c', 'stage=prodd', '--quiet', '-o', outdir], { cwd: ROOT, env, timeout: 60_000 }).then(
      () => undefined,
      (error: { stderr: string }) => error,
    );
    expect(failure?.stderr).toMatch(/unknown stage "prodd": pass -c stage=NAME with one of: local, dev, staging, prod/);
  }, 60_000);
});
