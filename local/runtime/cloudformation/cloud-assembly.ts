import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The parts of a synthesized cloud assembly (`cdk.out`) the local runtime reads: one stack's template,
 * its region, and where each Lambda asset was staged. Only files CDK writes are read, never the CDK app.
 */

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

export interface CloudFormationTemplate {
  readonly Resources: Readonly<Record<string, TemplateResource>>;
  readonly Parameters?: Readonly<Record<string, { Type: string; Default?: unknown }>>;
  readonly Mappings?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly Outputs?: Readonly<Record<string, { Value: unknown; Description?: string }>>;
}

export interface SynthesizedStack {
  readonly stackName: string;
  readonly cdkOut: string;
  readonly region: string;
  readonly template: CloudFormationTemplate;
  /** Asset directory in cdk.out for an S3 object key of a Lambda `Code` (`<hash>.zip` → `cdk.out/asset.<hash>`). */
  assetDirectoryForS3Key(s3Key: string): string | undefined;
}

export class CloudAssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudAssemblyError';
  }
}

interface AssemblyManifest {
  artifacts?: Record<string, { type?: string; environment?: string; properties?: { templateFile?: string } }>;
}

interface AssetManifest {
  files?: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { objectKey: string }> }>;
}

export function readSynthesizedStack(cdkOut: string, stackName: string): SynthesizedStack {
  const manifestPath = join(cdkOut, 'manifest.json');
  if (!existsSync(manifestPath)) throw new CloudAssemblyError(`${manifestPath} not found: run \`npx cdk synth -c stage=local\` first`);
  const manifest = readJson<AssemblyManifest>(manifestPath);
  const artifact = manifest.artifacts?.[stackName];
  if (!artifact || artifact.type !== 'aws:cloudformation:stack') {
    const stacks = Object.entries(manifest.artifacts ?? {})
      .filter(([, candidate]) => candidate.type === 'aws:cloudformation:stack')
      .map(([name]) => name);
    throw new CloudAssemblyError(`${cdkOut} has no stack ${stackName} (it has: ${stacks.join(', ') || 'none'})`);
  }
  const template = readJson<CloudFormationTemplate>(join(cdkOut, artifact.properties?.templateFile ?? `${stackName}.template.json`));
  // `aws://unknown-account/eu-west-1`: the region the stage deploys to, which the template also hard-codes in places.
  const region = artifact.environment?.split('/').pop();
  const assetDirectories = readAssetDirectories(cdkOut, stackName);
  return {
    stackName,
    cdkOut,
    region: region && region !== 'unknown-region' ? region : 'us-east-1',
    template,
    assetDirectoryForS3Key: (s3Key) => assetDirectories.get(s3Key),
  };
}

function readAssetDirectories(cdkOut: string, stackName: string): Map<string, string> {
  const directories = new Map<string, string>();
  const assetsPath = join(cdkOut, `${stackName}.assets.json`);
  if (!existsSync(assetsPath)) return directories;
  for (const asset of Object.values(readJson<AssetManifest>(assetsPath).files ?? {})) {
    if (asset.source.packaging !== 'zip') continue;
    for (const destination of Object.values(asset.destinations)) directories.set(destination.objectKey, join(cdkOut, asset.source.path));
  }
  return directories;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
