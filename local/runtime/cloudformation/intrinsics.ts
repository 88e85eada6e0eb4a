import type { LocalAwsIdentity } from '../local-aws-identity';

/**
 * Resolves the CloudFormation intrinsic functions CDK writes into a synthesized template (`Ref`,
 * `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::Base64`, `Fn::FindInMap` and the
 * pseudo parameters) against the local values of each logical id. Hand-written: resolution has to use
 * the emulators' values (queue URLs on localhost, local ARNs) and, when it cannot, say which resource
 * and which property failed, which is what the developer needs when `npm start` cannot wire a value.
 */

/** What `Ref` and `Fn::GetAtt` yield for one logical id, locally. */
export interface LocalResourceValues {
  readonly ref: unknown;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

export interface PseudoParameters extends LocalAwsIdentity {
  readonly urlSuffix: string;
  readonly stackName: string;
  readonly stackId?: string;
}

export interface IntrinsicContext {
  readonly resources: Readonly<Record<string, LocalResourceValues>>;
  readonly pseudoParameters: PseudoParameters;
  /** Template parameter values (CDK's `BootstrapVersion`, asset parameters of older synths). */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** The template's `Mappings`, for `Fn::FindInMap`. */
  readonly mappings?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

/** Where in the template a value sits, for the error message. */
export interface TemplateLocation {
  readonly resource: string;
  readonly path: string;
}

export class UnresolvableIntrinsicError extends Error {
  constructor(
    readonly location: TemplateLocation,
    readonly intrinsic: unknown,
    reason: string,
  ) {
    super(`Cannot resolve ${JSON.stringify(intrinsic)} in ${location.resource} at ${location.path || '<root>'}: ${reason}`);
    this.name = 'UnresolvableIntrinsicError';
  }
}

/** `Ref: AWS::NoValue` removes the property; resolution drops it from its object or array. */
const NO_VALUE = Symbol('AWS::NoValue');

export function resolveIntrinsics(value: unknown, context: IntrinsicContext, location: TemplateLocation): unknown {
  const resolved = resolveValue(value, context, location);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolveValue(value: unknown, context: IntrinsicContext, location: TemplateLocation): unknown {
  if (Array.isArray(value)) {
    return value
      .map((item, index) => resolveValue(item, context, at(location, `[${index}]`)))
      .filter((item) => item !== NO_VALUE);
  }
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [onlyKey, onlyArgument] = entries.length === 1 ? (entries[0] ?? []) : [];
  if (onlyKey === 'Ref' || onlyKey?.startsWith('Fn::')) {
    return resolveFunction(onlyKey, onlyArgument, value, context, location);
  }
  const resolved: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolvedItem = resolveValue(item, context, at(location, key));
    if (resolvedItem !== NO_VALUE) resolved[key] = resolvedItem;
  }
  return resolved;
}

function resolveFunction(name: string, argument: unknown, intrinsic: unknown, context: IntrinsicContext, location: TemplateLocation): unknown {
  const fail = (reason: string): never => {
    throw new UnresolvableIntrinsicError(location, intrinsic, reason);
  };
  const resolveArgument = (item: unknown) => resolveValue(item, context, location);

  switch (name) {
    case 'Ref':
      if (typeof argument !== 'string') return fail('Ref takes a logical id');
      return resolveRef(argument, context, fail);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = typeof argument === 'string' ? splitOnce(argument, '.') : (resolveArgument(argument) as unknown[]);
      if (typeof logicalId !== 'string' || typeof attribute !== 'string') return fail('Fn::GetAtt takes [logicalId, attribute]');
      return resolveGetAtt(logicalId, attribute, context, fail);
    }
    case 'Fn::Join': {
      const [delimiter, items] = resolveArgument(argument) as [unknown, unknown];
      if (typeof delimiter !== 'string' || !Array.isArray(items)) return fail('Fn::Join takes [delimiter, [values]]');
      return items.map((item) => asText(item, fail)).join(delimiter);
    }
    case 'Fn::Sub':
      return resolveSub(argument, context, location, fail);
    case 'Fn::Select': {
      const [index, items] = resolveArgument(argument) as [unknown, unknown];
      if (!Array.isArray(items)) return fail('Fn::Select takes [index, [values]]');
      const selected: unknown = items[Number(index)];
      return selected === undefined ? fail(`index ${String(index)} is out of range for ${items.length} values`) : selected;
    }
    case 'Fn::Split': {
      const [delimiter, text] = resolveArgument(argument) as [unknown, unknown];
      if (typeof delimiter !== 'string' || typeof text !== 'string') return fail('Fn::Split takes [delimiter, string]');
      return text.split(delimiter);
    }
    case 'Fn::Base64':
      return Buffer.from(asText(resolveArgument(argument), fail), 'utf8').toString('base64');
    case 'Fn::FindInMap': {
      const [mapName, topKey, secondKey] = resolveArgument(argument) as [unknown, unknown, unknown];
      const found = context.mappings?.[String(mapName)]?.[String(topKey)]?.[String(secondKey)];
      return found === undefined ? fail(`no mapping ${String(mapName)}.${String(topKey)}.${String(secondKey)}`) : found;
    }
    default:
      return fail(`${name} is not supported by the local runtime`);
  }
}

function resolveRef(name: string, context: IntrinsicContext, fail: (reason: string) => never): unknown {
  const pseudo = context.pseudoParameters;
  switch (name) {
    case 'AWS::Region':
      return pseudo.region;
    case 'AWS::AccountId':
      return pseudo.accountId;
    case 'AWS::Partition':
      return pseudo.partition;
    case 'AWS::URLSuffix':
      return pseudo.urlSuffix;
    case 'AWS::StackName':
      return pseudo.stackName;
    case 'AWS::StackId':
      return pseudo.stackId ?? `arn:${pseudo.partition}:cloudformation:${pseudo.region}:${pseudo.accountId}:stack/${pseudo.stackName}/local`;
    case 'AWS::NoValue':
      return NO_VALUE;
  }
  if (context.parameters && name in context.parameters) return context.parameters[name];
  const resource = context.resources[name];
  if (!resource) return fail(`no local value for ${name}`);
  return resource.ref;
}

function resolveGetAtt(logicalId: string, attribute: string, context: IntrinsicContext, fail: (reason: string) => never): unknown {
  const resource = context.resources[logicalId];
  if (!resource) return fail(`no local value for ${logicalId}`);
  const value = resource.attributes?.[attribute];
  return value === undefined ? fail(`${logicalId} has no local attribute ${attribute}`) : value;
}

/**
 * `Fn::Sub`: a string, or `[string, { variables }]`. `${Name}` is a variable, a parameter, a pseudo
 * parameter or a resource's Ref; `${Id.Attribute}` a GetAtt; `${!Literal}` writes `${Literal}`.
 */
function resolveSub(argument: unknown, context: IntrinsicContext, location: TemplateLocation, fail: (reason: string) => never): string {
  const [template, variableTemplates] = typeof argument === 'string' ? [argument, {}] : ((argument ?? []) as [unknown, unknown]);
  if (typeof template !== 'string') return fail('Fn::Sub takes a string or [string, { variables }]');
  const variables = resolveValue(variableTemplates ?? {}, context, location) as Record<string, unknown>;
  return template.replace(/\$\{([^}]*)\}/g, (_placeholder, expression: string) => {
    if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
    const name = expression.trim();
    if (name in variables) return asText(variables[name], fail);
    if (name.includes('.') && !name.startsWith('AWS::')) {
      const [logicalId, attribute] = splitOnce(name, '.');
      return asText(resolveGetAtt(logicalId, attribute, context, fail), fail);
    }
    return asText(resolveRef(name, context, fail), fail);
  });
}

function asText(value: unknown, fail: (reason: string) => never): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(`expected a string, got ${JSON.stringify(value)}`);
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index === -1 ? [text, ''] : [text.slice(0, index), text.slice(index + 1)];
}

function at(location: TemplateLocation, segment: string): TemplateLocation {
  const path = segment.startsWith('[') || location.path === '' ? `${location.path}${segment}` : `${location.path}.${segment}`;
  return { resource: location.resource, path };
}
