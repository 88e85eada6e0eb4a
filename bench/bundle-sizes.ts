/**
 * Bundle size of every Lambda function, as `cdk synth` builds it (minified ESM, AWS SDK left to the
 * runtime). Run: `npm run bench:bundles`. Prints a Markdown table for BENCHMARKS.md and exits 1 when
 * a bundle is over its budget.
 */
import { App } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { resolveStage } from '../lib/config/stages';
import { SyncStack, stackName } from '../lib/sync-stack';

const KB = 1024;
/** Budgets from the foundation issue: ingest answers webhooks (cold starts matter most), consumers do more. */
function budgetOf(constructPath: string): number {
  return /Ingest/.test(constructPath) ? 50 * KB : 150 * KB;
}

const outdir = mkdtempSync(join(tmpdir(), 'bundle-sizes-'));
try {
  // Asset metadata (which asset folder holds which function's code) is on only when asked, as the CLI does.
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true } });
  const { stage, config } = resolveStage('prod');
  new SyncStack(app, stackName(stage), { stage, config, env: config.env });
  const assembly = app.synth();
  const template = assembly.getStackByName(stackName(stage)).template as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };

  const rows = Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.['aws:asset:path'])
    .map((resource) => {
      const bundle = join(outdir, resource.Metadata!['aws:asset:path']!, 'index.mjs');
      const bytes = statSync(bundle).size;
      const path = resource.Metadata!['aws:cdk:path']!.split('/').slice(1, -2).join('/');
      return { path, bytes, gzip: gzipSync(readFileSync(bundle)).byteLength, budget: budgetOf(path) };
    });

  console.log('| function | bundle (minified) | gzipped | budget | within |');
  console.log('|---|---:|---:|---:|---|');
  for (const row of rows) {
    const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;
    console.log(`| ${row.path} | ${kb(row.bytes)} | ${kb(row.gzip)} | ${kb(row.budget)} | ${row.bytes <= row.budget ? 'yes' : 'no'} |`);
  }
  process.exitCode = rows.every((row) => row.bytes <= row.budget) ? 0 : 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
