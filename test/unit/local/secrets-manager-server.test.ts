import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAwsJsonServer } from '../../../local/runtime/http/aws-json-protocol-server';
import { startSecretsManagerServer } from '../../../local/runtime/secrets/secrets-manager-server';

let directory: string;
let secretsFile: string;
let server: RunningAwsJsonServer;
let secretsManager: SecretsManagerClient;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'secrets-'));
  secretsFile = join(directory, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify({ 'odoo/api-key': 'odoo-secret', 'stripe/webhook': { signingSecret: 'whsec_local' } }));
  server = await startSecretsManagerServer({ secretsFile });
  secretsManager = new SecretsManagerClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  secretsManager.destroy();
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('Secrets Manager endpoint, driven by the unmodified AWS SDK v3', () => {
  it('returns a secret by name, with its ARN', async () => {
    const secret = await secretsManager.send(new GetSecretValueCommand({ SecretId: 'odoo/api-key' }));
    expect(secret).toMatchObject({
      Name: 'odoo/api-key',
      SecretString: 'odoo-secret',
      ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:odoo/api-key',
      VersionStages: ['AWSCURRENT'],
    });
  });

  it('finds a secret by a full ARN with its random suffix, and serves a key/value secret as JSON text', async () => {
    const secret = await secretsManager.send(
      new GetSecretValueCommand({ SecretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:stripe/webhook-AbC123' }),
    );
    expect(JSON.parse(secret.SecretString ?? '')).toEqual({ signingSecret: 'whsec_local' });
  });

  it('picks up an edited secrets file without a restart', async () => {
    writeFileSync(secretsFile, JSON.stringify({ 'odoo/api-key': 'rotated' }));
    const secret = await secretsManager.send(new GetSecretValueCommand({ SecretId: 'odoo/api-key' }));
    expect(secret.SecretString).toBe('rotated');
  });

  it('answers a missing secret with the ResourceNotFoundException the SDK raises', async () => {
    const error = await secretsManager.send(new GetSecretValueCommand({ SecretId: 'zendesk/token' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({ message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400 } });
  });
});
