/**
 * The account and region the local runtime pretends to be. Every emulator builds its ARNs and URLs
 * from here so that an ARN a bundle reads from its environment (resolved from the template) names
 * the same resource the emulator serves.
 */
export interface LocalAwsIdentity {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

/** `000000000000` is the account id every AWS emulator uses; it can never clash with a real one. */
export const DEFAULT_LOCAL_IDENTITY: LocalAwsIdentity = {
  accountId: '000000000000',
  region: 'us-east-1',
  partition: 'aws',
};

export function arnFor(identity: LocalAwsIdentity, service: string, resource: string): string {
  return `arn:${identity.partition}:${service}:${identity.region}:${identity.accountId}:${resource}`;
}

/** The last `:`-separated segment of an ARN: the queue name of an SQS ARN, the function name of a Lambda ARN. */
export function resourceNameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

/** What every SDK client of the local runtime signs with: the emulators check no signature. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: 'local' } as const;
