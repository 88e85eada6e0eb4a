import { readFileSync } from 'node:fs';
import { arnFor, DEFAULT_LOCAL_IDENTITY, type LocalAwsIdentity } from '../local-aws-identity';
import { AwsServiceError, startAwsJsonProtocolServer, type RunningAwsJsonServer } from '../http/aws-json-protocol-server';

/**
 * Secrets Manager's `GetSecretValue` over the AWS JSON protocol (`x-amz-target: secretsmanager.GetSecretValue`),
 * serving secrets from a local JSON file (`{ "<secret name>": "<secret string>" }`, `.local/secrets.json`),
 * so the bundles' unmodified SDK (or Powertools `getSecret`) reads their secrets locally.
 *
 * The file is read on every request: editing a secret takes effect without restarting `npm start`.
 * A value that is an object is served as its JSON text, the way a key/value secret is stored.
 */
export interface SecretsManagerServerOptions {
  readonly secretsFile: string;
  /**
   * Values served instead of the file's, kept in memory only: a real Odoo API key given on the command
   * line is used without being written to disk.
   */
  readonly overrides?: Readonly<Record<string, string>>;
  readonly identity?: LocalAwsIdentity;
  readonly port?: number;
  readonly host?: string;
}

/** Every local secret has one version, always current. */
const LOCAL_VERSION_ID = '00000000-0000-0000-0000-000000000001';

export function startSecretsManagerServer(options: SecretsManagerServerOptions): Promise<RunningAwsJsonServer> {
  const identity = options.identity ?? DEFAULT_LOCAL_IDENTITY;
  return startAwsJsonProtocolServer({
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    operations: {
      GetSecretValue: (input) => {
        const secrets = { ...readSecretsFile(options.secretsFile), ...options.overrides };
        const name = secretNameFor(String(input['SecretId'] ?? ''), secrets);
        const value = name === undefined ? undefined : secrets[name];
        if (name === undefined || value === undefined) {
          throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        }
        return {
          ARN: arnFor(identity, 'secretsmanager', `secret:${name}`),
          Name: name,
          VersionId: LOCAL_VERSION_ID,
          SecretString: typeof value === 'string' ? value : JSON.stringify(value),
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 0,
        };
      },
    },
  });
}

function readSecretsFile(secretsFile: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

/**
 * A SecretId is a name or an ARN; a full ARN ends with `-` and six random characters that the name
 * does not have, so an ARN that names no secret is retried without that suffix.
 */
function secretNameFor(secretId: string, secrets: Readonly<Record<string, unknown>>): string | undefined {
  const marker = ':secret:';
  const candidate = secretId.includes(marker) ? secretId.slice(secretId.indexOf(marker) + marker.length) : secretId;
  if (candidate in secrets) return candidate;
  const withoutRandomSuffix = candidate.replace(/-[A-Za-z0-9]{6}$/, '');
  return withoutRandomSuffix in secrets ? withoutRandomSuffix : undefined;
}
