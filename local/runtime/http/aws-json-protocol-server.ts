import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP endpoint speaking the AWS JSON protocol (`POST /`, `x-amz-target: <Service>.<Operation>`,
 * `application/x-amz-json-1.x`), the protocol of SQS and Secrets Manager. Each emulator supplies its
 * operations; this module owns the wire format so the unmodified AWS SDK, pointed at `endpoint`, talks
 * to the emulators. Request signatures are not checked: the local runtime has no credentials to verify.
 */

export class AwsServiceError extends Error {
  constructor(
    /** The shape name the SDK maps to an exception class, e.g. `ResourceNotFoundException`. */
    readonly errorType: string,
    message: string,
    readonly statusCode = 400,
    /** For query-compatible services (SQS): the legacy code, sent as `x-amzn-query-error`. */
    readonly queryErrorCode?: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

/** About the HTTP request an operation answers. */
export interface AwsJsonRequestContext {
  /** When the request arrived (its headers parsed), in epoch ms with sub-millisecond precision. */
  readonly receivedAt: number;
}

export type AwsJsonOperation = (input: Record<string, unknown>, request: AwsJsonRequestContext) => Promise<unknown> | unknown;

export interface AwsJsonProtocolServerOptions {
  /** The target prefix before the dot: `AmazonSQS`, `secretsmanager`. */
  readonly targetPrefix: string;
  /** The namespace SQS puts before error shapes in `__type` (`com.amazonaws.sqs#...`); Secrets Manager uses none. */
  readonly errorNamespace?: string;
  readonly jsonVersion: '1.0' | '1.1';
  readonly operations: Readonly<Record<string, AwsJsonOperation>>;
  readonly port?: number;
  readonly host?: string;
}

export interface RunningAwsJsonServer {
  /** `http://host:port`, to pass as the SDK client's `endpoint`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startAwsJsonProtocolServer(options: AwsJsonProtocolServerOptions): Promise<RunningAwsJsonServer> {
  const server = createServer((request, response) => {
    void handleRequest(options, request, response);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, close: () => closeServer(server) };
}

async function handleRequest(options: AwsJsonProtocolServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const receivedAt = performance.timeOrigin + performance.now();
  const contentType = `application/x-amz-json-${options.jsonVersion}`;
  try {
    const target = String(request.headers['x-amz-target'] ?? '');
    const [prefix, operationName] = target.split('.');
    const operation = prefix === options.targetPrefix && operationName ? options.operations[operationName] : undefined;
    if (!operation) throw new AwsServiceError('UnknownOperationException', `Unsupported target ${target || '(none)'}`);
    const body = await readBody(request);
    const input = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
    const output = await operation(input, { receivedAt });
    response.writeHead(200, { 'content-type': contentType });
    response.end(JSON.stringify(output ?? {}));
  } catch (error) {
    const serviceError =
      error instanceof AwsServiceError ? error : new AwsServiceError('InternalFailure', (error as Error).message ?? String(error), 500);
    const headers: Record<string, string> = { 'content-type': contentType, 'x-amzn-errortype': serviceError.errorType };
    if (serviceError.queryErrorCode) {
      headers['x-amzn-query-error'] = `${serviceError.queryErrorCode};${serviceError.statusCode < 500 ? 'Sender' : 'Receiver'}`;
    }
    response.writeHead(serviceError.statusCode, headers);
    const errorShape = options.errorNamespace ? `${options.errorNamespace}#${serviceError.errorType}` : serviceError.errorType;
    response.end(JSON.stringify({ __type: errorShape, message: serviceError.message }));
  }
}

/** Listeners rather than `for await`: the async iterator costs a few turns of the event loop per request. */
function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
