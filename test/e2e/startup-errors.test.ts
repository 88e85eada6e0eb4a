import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../local/runtime/local-stack';

/**
 * What a developer sees when the template holds something the local runtime cannot run: an error at
 * start that names the resource (and the property), never a stack that starts and silently differs.
 */

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function cloudAssembly(resources: Record<string, unknown>): string {
  const cdkOut = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  directories.push(cdkOut);
  writeFileSync(join(cdkOut, 'manifest.json'), JSON.stringify({ artifacts: { Broken: { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/eu-west-1', properties: { templateFile: 'Broken.template.json' } } } }));
  writeFileSync(join(cdkOut, 'Broken.template.json'), JSON.stringify({ Resources: resources }));
  writeFileSync(join(cdkOut, 'Broken.assets.json'), JSON.stringify({ files: { abc: { source: { path: 'asset.abc', packaging: 'zip' }, destinations: { d: { objectKey: 'abc.zip' } } } } }));
  return cdkOut;
}

function start(cdkOut: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'local-data-'));
  directories.push(dataDir);
  return startLocalStack({ cdkOut, stackName: 'Broken', dataDir, port: 0, odoo: { url: 'http://127.0.0.1:9', database: 'db', login: 'admin', apiKey: 'key' } });
}

const nodeFunction = (properties: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { S3Bucket: 'assets', S3Key: 'abc.zip' }, ...properties },
});

describe('startLocalStack refuses a template it cannot run faithfully', () => {
  it('names an unsupported resource type and lists what is supported', async () => {
    await expect(start(cloudAssembly({ GraphApi: { Type: 'AWS::AppSync::GraphQLApi', Properties: {} } }))).rejects.toThrow(
      /GraphApi \(AWS::AppSync::GraphQLApi\) is not supported by the local runtime.*Supported: .*AWS::SQS::Queue/,
    );
  });

  it('names a function whose bundle is missing from cdk.out', async () => {
    await expect(start(cloudAssembly({ Ingest: nodeFunction() }))).rejects.toThrow(/The bundle of Ingest \(abc\.zip\) is missing/);
  });

  it('names the resource and property of an intrinsic it cannot resolve', async () => {
    const cdkOut = cloudAssembly({ Ingest: nodeFunction({ Environment: { Variables: { TOPIC: { 'Fn::GetAtt': ['NotThere', 'Arn'] } } } }) });
    mkdirSync(join(cdkOut, 'asset.abc'));
    await expect(start(cdkOut)).rejects.toThrow(/in Ingest at Environment\.Variables\.TOPIC: no local value for NotThere/);
  });
});
