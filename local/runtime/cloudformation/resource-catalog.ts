import { createHash } from 'node:crypto';
import type { LocalAwsIdentity } from '../local-aws-identity';
import type { CloudFormationTemplate, TemplateResource } from './cloud-assembly';
import { resolveIntrinsics, type IntrinsicContext, type LocalResourceValues } from './intrinsics';
import { localResourceValues, type LocalEndpoints } from './local-resource-values';

/**
 * Which template resources the local runtime emulates, which it knowingly ignores (and why), and the
 * intrinsic context (`Ref`/`GetAtt` values) of the emulated ones. Anything else stops `npm start` with
 * an error naming the resource: silently skipping a resource would make local behaviour differ from AWS
 * without anyone noticing.
 */

export const EMULATED_RESOURCE_TYPES = [
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::Events::Archive',
  'AWS::SQS::Queue',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::StepFunctions::StateMachine',
] as const;

/** Resource types with no local behaviour, each with the reason shown at start. */
export const IGNORED_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'permissions are not enforced locally',
  'AWS::IAM::Policy': 'permissions are not enforced locally',
  'AWS::IAM::ManagedPolicy': 'permissions are not enforced locally',
  'AWS::Lambda::Permission': 'permissions are not enforced locally',
  'AWS::SQS::QueuePolicy': 'permissions are not enforced locally',
  'AWS::SNS::TopicPolicy': 'permissions are not enforced locally',
  'AWS::Events::EventBusPolicy': 'permissions are not enforced locally',
  'AWS::ApiGateway::Account': 'account-wide API Gateway settings',
  'AWS::Logs::LogGroup': 'function logs are printed to the terminal',
  'AWS::CloudWatch::Alarm': 'no metrics locally; the ops console shows DLQ depth instead',
  'AWS::CloudWatch::Dashboard': 'no metrics locally; see the ops console',
  'AWS::SNS::Topic': 'alarm notifications only',
  'AWS::SNS::Subscription': 'alarm notifications only',
  'AWS::KMS::Key': 'local data is not encrypted',
  'AWS::KMS::Alias': 'local data is not encrypted',
  'AWS::SecretsManager::Secret': 'local secrets come from .local/secrets.json',
  'AWS::CDK::Metadata': 'CDK bookkeeping',
};

export class UnsupportedResourceError extends Error {
  constructor(logicalId: string, type: string, detail = '') {
    super(
      `${logicalId} (${type}) is not supported by the local runtime${detail ? `: ${detail}` : ''}. ` +
        `Supported: ${EMULATED_RESOURCE_TYPES.join(', ')}; ignored: ${Object.keys(IGNORED_RESOURCE_TYPES).join(', ')}. ` +
        'Extend local/runtime/ to emulate it.',
    );
    this.name = 'UnsupportedResourceError';
  }
}

export interface CatalogedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalName: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface ResourceCatalog {
  readonly emulated: readonly CatalogedResource[];
  readonly ignored: readonly { logicalId: string; type: string; reason: string }[];
  readonly context: IntrinsicContext;
  ofType(type: (typeof EMULATED_RESOURCE_TYPES)[number]): CatalogedResource[];
  /** The resource's property `path` with its intrinsics resolved; errors name the resource and the path. */
  resolve(resource: CatalogedResource, path: string): unknown;
}

/** The property CloudFormation takes a physical name from, when the template sets one. */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::SQS::Queue': 'QueueName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::Archive': 'ArchiveName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::ApiGateway::Stage': 'StageName',
};

export function catalogResources(
  template: CloudFormationTemplate,
  options: { identity: LocalAwsIdentity; stackName: string; endpoints: LocalEndpoints },
): ResourceCatalog {
  const emulated: CatalogedResource[] = [];
  const ignored: { logicalId: string; type: string; reason: string }[] = [];
  const values: Record<string, LocalResourceValues> = {};

  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const ignoredReason = IGNORED_RESOURCE_TYPES[resource.Type];
    if (ignoredReason !== undefined) {
      ignored.push({ logicalId, type: resource.Type, reason: ignoredReason });
      // Ignored resources still answer Ref/GetAtt where the type is known (a role ARN in a policy, say).
      const known = localResourceValues(resource.Type, logicalId, options.identity, options.endpoints);
      values[logicalId] = known ?? { ref: logicalId };
      continue;
    }
    if (!(EMULATED_RESOURCE_TYPES as readonly string[]).includes(resource.Type)) throw new UnsupportedResourceError(logicalId, resource.Type);
    const physicalName = physicalNameOf(logicalId, resource);
    emulated.push({ logicalId, type: resource.Type, physicalName, properties: resource.Properties ?? {} });
    values[logicalId] = localResourceValues(resource.Type, physicalName, options.identity, options.endpoints) ?? apiGatewayValues(logicalId, resource, physicalName);
  }

  const context: IntrinsicContext = {
    resources: values,
    pseudoParameters: { ...options.identity, urlSuffix: 'amazonaws.com', stackName: options.stackName },
    parameters: Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([name, parameter]) => [name, parameter.Default ?? ''])),
    ...(template.Mappings ? { mappings: template.Mappings } : {}),
  };
  return {
    emulated,
    ignored,
    context,
    ofType: (type) => emulated.filter((resource) => resource.type === type),
    resolve: (resource, path) => resolveIntrinsics(propertyAt(resource.properties, path), context, { resource: resource.logicalId, path }),
  };
}

function physicalNameOf(logicalId: string, resource: TemplateResource): string {
  const nameProperty = NAME_PROPERTIES[resource.Type];
  const name = nameProperty ? resource.Properties?.[nameProperty] : undefined;
  // A name given as an intrinsic (rare for these types) falls back to the logical id rather than half-resolving it.
  if (typeof name === 'string') return name;
  // CloudFormation generates a FIFO queue's name with the `.fifo` suffix SQS requires.
  return resource.Type === 'AWS::SQS::Queue' && resource.Properties?.['FifoQueue'] === true ? `${logicalId}.fifo` : logicalId;
}

/**
 * API Gateway ids are random in AWS; locally they are stable short hashes of the logical id, so URLs and
 * request contexts do not change between restarts.
 */
export function apiGatewayIdOf(logicalId: string): string {
  return createHash('sha256').update(logicalId).digest('hex').slice(0, 10);
}

function apiGatewayValues(logicalId: string, resource: TemplateResource, physicalName: string): LocalResourceValues {
  switch (resource.Type) {
    case 'AWS::ApiGateway::RestApi':
      return { ref: apiGatewayIdOf(logicalId), attributes: { RootResourceId: apiGatewayIdOf(`${logicalId}/`), RestApiId: apiGatewayIdOf(logicalId) } };
    case 'AWS::ApiGateway::Stage':
      return { ref: physicalName };
    case 'AWS::ApiGateway::Resource':
      return { ref: apiGatewayIdOf(logicalId), attributes: { ResourceId: apiGatewayIdOf(logicalId) } };
    default:
      return { ref: apiGatewayIdOf(logicalId) };
  }
}

function propertyAt(properties: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = properties;
  for (const segment of path.split('.').filter(Boolean)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
