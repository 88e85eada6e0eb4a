import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { CatalogedResource, ResourceCatalog } from '../cloudformation/resource-catalog';
import { apiGatewayIdOf, UnsupportedResourceError } from '../cloudformation/resource-catalog';
import type { LambdaInvocationResult } from '../lambda/function-pool';
import { resourceNameOfArn, type LocalAwsIdentity } from '../local-aws-identity';
import { TokenBucket } from './token-bucket';

/**
 * A REST API (API Gateway v1) from the template: its resource tree, its methods with Lambda proxy
 * integrations, its stage's throttling, and the request/response mapping API Gateway does around a proxy
 * integration. Hand-written: SAM's `start-api` needs Docker.
 */

/** API Gateway refuses payloads over 10 MB, whatever the integration. */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface GatewayRequest {
  readonly method: string;
  /** Path without the stage prefix, e.g. `/webhooks/stripe`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** `[name, value, name, value...]` as received, header names in their original case. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
}

export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
}

interface Route {
  readonly resourceId: string;
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly functionName: string;
  readonly throttle: TokenBucket | undefined;
}

export type InvokeByName = (functionName: string, event: unknown) => Promise<LambdaInvocationResult>;

export class LocalRestApi {
  readonly apiId: string;
  readonly stageName: string;
  private readonly deploymentId: string;
  private throttlingDisabled = false;

  constructor(
    private readonly routes: readonly Route[],
    settings: { apiId: string; stageName: string; deploymentId: string },
    private readonly identity: LocalAwsIdentity,
    private readonly invoke: InvokeByName,
    private readonly binaryMediaTypes: readonly string[],
  ) {
    this.apiId = settings.apiId;
    this.stageName = settings.stageName;
    this.deploymentId = settings.deploymentId;
  }

  /** Lets every request through: to measure the runtime itself rather than the stage's rate limit. */
  disableThrottling(): void {
    this.throttlingDisabled = true;
  }

  /** `METHOD /resource/path → function`, for the start banner and the console. */
  describeRoutes(): { httpMethod: string; resourcePath: string; functionName: string }[] {
    return this.routes.map(({ httpMethod, resourcePath, functionName }) => ({ httpMethod, resourcePath, functionName }));
  }

  matches(method: string, path: string): boolean {
    return this.findRoute(method, path) !== undefined;
  }

  async handle(request: GatewayRequest): Promise<GatewayResponse> {
    const requestId = randomUUID();
    const found = this.findRoute(request.method, request.path);
    // What API Gateway answers for a path or method the API does not define.
    if (!found) return errorResponse(403, 'Missing Authentication Token', 'MissingAuthenticationTokenException', requestId);
    if (!this.throttlingDisabled && found.route.throttle && !found.route.throttle.tryTake()) return errorResponse(429, 'Too Many Requests', 'TooManyRequestsException', requestId);
    if (request.body.length > API_GATEWAY_MAX_PAYLOAD_BYTES) return errorResponse(413, 'Request Too Long', 'RequestTooLongException', requestId);

    const event = this.proxyEvent(request, found.route, found.pathParameters, requestId);
    let result: LambdaInvocationResult;
    try {
      result = await this.invoke(found.route.functionName, event);
    } catch {
      // Lambda refused the invocation (throttled): API Gateway reports an integration failure.
      return errorResponse(500, 'Internal server error', 'InternalServerErrorException', requestId);
    }
    if (result.status === 'failed') {
      if (result.error.errorType === 'Sandbox.Timedout') return errorResponse(504, 'Endpoint request timed out', 'IntegrationTimeout', requestId);
      return errorResponse(502, 'Internal server error', 'InternalServerErrorException', requestId);
    }
    return toGatewayResponse(result.payload, requestId) ?? errorResponse(502, 'Internal server error', 'InternalServerErrorException', requestId);
  }

  private findRoute(method: string, path: string): { route: Route; pathParameters: Record<string, string> } | undefined {
    const segments = path.split('/').filter(Boolean);
    // Literal paths win over `{param}`, which win over `{proxy+}`, as in API Gateway.
    const candidates = this.routes
      .filter((route) => route.httpMethod === method.toUpperCase() || route.httpMethod === 'ANY')
      .map((route) => ({ route, pathParameters: matchResourcePath(route.resourcePath, segments) }))
      .filter((candidate): candidate is { route: Route; pathParameters: Record<string, string> } => candidate.pathParameters !== undefined)
      .sort((left, right) => specificity(right.route) - specificity(left.route));
    return candidates[0];
  }

  /** The Lambda proxy integration event (payload format 1.0) as API Gateway builds it. */
  private proxyEvent(request: GatewayRequest, route: Route, pathParameters: Record<string, string>, requestId: string): APIGatewayProxyEvent {
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
      const name = request.rawHeaders[index] ?? '';
      const value = request.rawHeaders[index + 1] ?? '';
      headers[name] = value;
      (multiValueHeaders[name] ??= []).push(value);
    }
    const queryStringParameters: Record<string, string> = {};
    const multiValueQueryStringParameters: Record<string, string[]> = {};
    for (const [name, value] of request.query) {
      queryStringParameters[name] = value;
      (multiValueQueryStringParameters[name] ??= []).push(value);
    }
    const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
    const isBase64Encoded = this.binaryMediaTypes.some((mediaType) => mediaTypeMatches(mediaType, contentType));
    const now = new Date();
    const hasQuery = Object.keys(queryStringParameters).length > 0;
    const userAgent = Object.entries(headers).find(([name]) => name.toLowerCase() === 'user-agent')?.[1] ?? null;
    return {
      resource: route.resourcePath,
      path: request.path,
      httpMethod: request.method.toUpperCase(),
      headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? queryStringParameters : null,
      multiValueQueryStringParameters: hasQuery ? multiValueQueryStringParameters : null,
      pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
      stageVariables: null,
      requestContext: {
        resourceId: route.resourceId,
        resourcePath: route.resourcePath,
        httpMethod: request.method.toUpperCase(),
        extendedRequestId: requestId.replaceAll('-', '').slice(0, 16),
        requestTime: formatRequestTime(now),
        path: `/${this.stageName}${request.path}`,
        accountId: this.identity.accountId,
        protocol: 'HTTP/1.1',
        stage: this.stageName,
        domainPrefix: this.apiId,
        requestTimeEpoch: now.getTime(),
        requestId,
        identity: {
          cognitoIdentityPoolId: null,
          accountId: null,
          cognitoIdentityId: null,
          caller: null,
          sourceIp: request.sourceIp,
          principalOrgId: null,
          accessKey: null,
          cognitoAuthenticationType: null,
          cognitoAuthenticationProvider: null,
          userArn: null,
          userAgent,
          user: null,
          apiKey: null,
          apiKeyId: null,
          clientCert: null,
        },
        domainName: `${this.apiId}.execute-api.${this.identity.region}.amazonaws.com`,
        deploymentId: this.deploymentId,
        apiId: this.apiId,
        // `deploymentId` is in real events but not in @types/aws-lambda's shape, which also wants an `authorizer` that a no-auth method does not get.
      } as unknown as APIGatewayProxyEvent['requestContext'],
      body: request.body.length === 0 ? null : request.body.toString(isBase64Encoded ? 'base64' : 'utf8'),
      isBase64Encoded,
    };
  }
}

/** Builds every REST API of the template; a method that is not a Lambda proxy integration stops the start. */
export function restApisFromTemplate(catalog: ResourceCatalog, identity: LocalAwsIdentity, invoke: InvokeByName): LocalRestApi[] {
  const apis = catalog.ofType('AWS::ApiGateway::RestApi');
  const resources = catalog.ofType('AWS::ApiGateway::Resource');
  const refOf = (resource: CatalogedResource, path: string) => String(catalog.resolve(resource, path));
  // Resource id → full path, built from each resource's parent (the API's root resource is `/`).
  const pathOfResourceId = new Map<string, string>();
  for (const api of apis) pathOfResourceId.set(apiGatewayIdOf(`${api.logicalId}/`), '/');
  const pending = [...resources];
  while (pending.length > 0) {
    const index = pending.findIndex((resource) => pathOfResourceId.has(refOf(resource, 'ParentId')));
    if (index === -1) throw new UnsupportedResourceError(pending[0]?.logicalId ?? '?', 'AWS::ApiGateway::Resource', 'its parent resource is not in the template');
    const [resource] = pending.splice(index, 1) as [CatalogedResource];
    const parentPath = pathOfResourceId.get(refOf(resource, 'ParentId')) ?? '/';
    pathOfResourceId.set(apiGatewayIdOf(resource.logicalId), `${parentPath === '/' ? '' : parentPath}/${String(resource.properties['PathPart'])}`);
  }

  return apis.map((api) => {
    const apiId = apiGatewayIdOf(api.logicalId);
    const stages = catalog.ofType('AWS::ApiGateway::Stage').filter((stage) => refOf(stage, 'RestApiId') === apiId);
    const stage = stages[0];
    const stageName = stage ? String(stage.properties['StageName'] ?? stage.physicalName) : 'prod';
    const methodSettings = (stage ? (catalog.resolve(stage, 'MethodSettings') as MethodSetting[] | undefined) : undefined) ?? [];
    const routes = catalog
      .ofType('AWS::ApiGateway::Method')
      .filter((method) => refOf(method, 'RestApiId') === apiId)
      .map((method): Route => {
        const resourceId = refOf(method, 'ResourceId');
        const resourcePath = pathOfResourceId.get(resourceId) ?? '/';
        const httpMethod = String(method.properties['HttpMethod']).toUpperCase();
        return { resourceId, resourcePath, httpMethod, functionName: proxyFunctionName(catalog, method), throttle: throttleFor(methodSettings, resourcePath, httpMethod) };
      });
    const binaryMediaTypes = ((catalog.resolve(api, 'BinaryMediaTypes') as string[] | undefined) ?? []).map((type) => type.replaceAll('~1', '/'));
    return new LocalRestApi(routes, { apiId, stageName, deploymentId: stage ? refOf(stage, 'DeploymentId') : 'local' }, identity, invoke, binaryMediaTypes);
  });
}

interface MethodSetting {
  ResourcePath?: string;
  HttpMethod?: string;
  ThrottlingRateLimit?: number;
  ThrottlingBurstLimit?: number;
}

/** The most specific MethodSettings entry wins: this method, else `/*` `*` (the stage default). One bucket per method, as in AWS. */
function throttleFor(settings: readonly MethodSetting[], resourcePath: string, httpMethod: string): TokenBucket | undefined {
  // A method's own entry names its resource path with `/` escaped as `~1`: `/~1webhooks~1stripe`.
  const encodedPath = `/${resourcePath.replaceAll('/', '~1')}`;
  const forMethod = settings.find((setting) => setting.ResourcePath === encodedPath && setting.HttpMethod === httpMethod);
  const chosen = forMethod ?? settings.find((setting) => setting.ResourcePath === '/*' && setting.HttpMethod === '*');
  if (chosen?.ThrottlingRateLimit === undefined || chosen.ThrottlingBurstLimit === undefined) return undefined;
  return new TokenBucket(chosen.ThrottlingRateLimit, chosen.ThrottlingBurstLimit);
}

function proxyFunctionName(catalog: ResourceCatalog, method: CatalogedResource): string {
  const integration = method.properties['Integration'] as { Type?: string } | undefined;
  if (integration?.Type !== 'AWS_PROXY') {
    throw new UnsupportedResourceError(method.logicalId, 'AWS::ApiGateway::Method', `integration type ${String(integration?.Type)}; only Lambda proxy (AWS_PROXY) integrations run locally`);
  }
  const uri = String(catalog.resolve(method, 'Integration.Uri'));
  const functionArn = /\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
  if (!functionArn) throw new UnsupportedResourceError(method.logicalId, 'AWS::ApiGateway::Method', `integration URI ${uri} names no Lambda function`);
  return resourceNameOfArn(functionArn);
}

function matchResourcePath(resourcePath: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = resourcePath.split('/').filter(Boolean);
  const parameters: Record<string, string> = {};
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] ?? '';
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy?.[1]) {
      if (segments.length <= index) return undefined;
      parameters[greedy[1]] = segments.slice(index).map(decodeURIComponent).join('/');
      return parameters;
    }
    const segment = segments[index];
    if (segment === undefined) return undefined;
    const parameter = /^\{(.+)\}$/.exec(part);
    if (parameter?.[1]) parameters[parameter[1]] = decodeURIComponent(segment);
    else if (part !== segment) return undefined;
  }
  return parts.length === segments.length ? parameters : undefined;
}

function specificity(route: Route): number {
  return route.resourcePath
    .split('/')
    .filter(Boolean)
    .reduce((score, part) => score * 3 + (part.endsWith('+}') ? 0 : part.startsWith('{') ? 1 : 2), 1);
}

function mediaTypeMatches(pattern: string, contentType: string): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (pattern === '*/*') return true;
  return pattern.endsWith('/*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern.toLowerCase();
}

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's `requestTime`. */
function formatRequestTime(time: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(time.getUTCDate())}/${months[time.getUTCMonth()]}/${time.getUTCFullYear()}:${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())} +0000`;
}

function errorResponse(statusCode: number, message: string, errorType: string, requestId: string): GatewayResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': errorType },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

/** A proxy integration answer; anything else (no `statusCode`, a non-string body) is API Gateway's 502. */
function toGatewayResponse(payload: unknown, requestId: string): GatewayResponse | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const result = payload as { statusCode?: unknown; headers?: unknown; multiValueHeaders?: unknown; body?: unknown; isBase64Encoded?: unknown };
  const statusCode = Number(result.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return undefined;
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json', 'x-amzn-RequestId': requestId };
  for (const [name, value] of Object.entries((result.headers ?? {}) as Record<string, unknown>)) headers[name] = String(value);
  for (const [name, values] of Object.entries((result.multiValueHeaders ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(values)) headers[name] = values.map(String);
  }
  const body = typeof result.body === 'string' ? Buffer.from(result.body, result.isBase64Encoded === true ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { statusCode, headers, body };
}

/**
 * Reads a request body, stopping at `limit` bytes so an oversized upload is refused without buffering it
 * (the request is then destroyed, as leaving a `for await` over it would). Listeners rather than an async
 * iterator: the iterator costs a few turns of the event loop per request.
 */
export function readBodyUpTo(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      request.off('end', onEnd);
      request.destroy();
      resolve('too-large');
    };
    const onEnd = () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', reject);
  });
}
