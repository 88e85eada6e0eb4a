import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_GATEWAY_MAX_PAYLOAD_BYTES, readBodyUpTo, type LocalRestApi } from '../apigateway/rest-api';
import type { LocalHttpRoutes, LocalStack } from '../local-stack';
import { epochNow } from './stack-activity';

/**
 * The one port a developer uses (`LOCAL_PORT`, 4000 by default): the REST APIs' routes, and whatever
 * routes the stack was started with before them (the ops console and its JSON endpoints under `/_local/`,
 * which the dev environment adds: the runtime itself knows nothing of the console). API paths are accepted both bare
 * (`/webhooks/stripe`) and under the stage, as API Gateway's URL has them (`/local/webhooks/stripe`).
 */

export interface RunningGatewayServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startGatewayServer(options: { stack: LocalStack; port: number; host: string; routes: readonly LocalHttpRoutes[] }): Promise<RunningGatewayServer> {
  const server = createServer((request, response) => {
    route(options.stack, options.routes, request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: (error as Error).message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://${options.host}:${port}`, close: () => closeServer(server) };
}

async function route(stack: LocalStack, routes: readonly LocalHttpRoutes[], request: IncomingMessage, response: ServerResponse): Promise<void> {
  const arrivedAt = epochNow();
  const url = new URL(request.url ?? '/', 'http://localhost');
  for (const handled of routes) if (await handled(stack, url, request, response)) return;

  const method = request.method ?? 'GET';
  const target = findApi(stack.apis, method, url.pathname);
  if (!target) {
    response.writeHead(403, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'MissingAuthenticationTokenException' });
    response.end(JSON.stringify({ message: 'Missing Authentication Token' }));
    return;
  }
  const body = await readBodyUpTo(request, API_GATEWAY_MAX_PAYLOAD_BYTES);
  if (body === 'too-large') {
    response.writeHead(413, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'RequestTooLongException', connection: 'close' });
    response.end(JSON.stringify({ message: 'Request Too Long' }));
    return;
  }
  const traced = stack.activity.tracing ? body.toString('utf8') : undefined;
  if (traced !== undefined) stack.activity.recordHop('api.request', traced, arrivedAt);
  const answer = await target.api.handle({
    method,
    path: target.path,
    query: url.searchParams,
    rawHeaders: request.rawHeaders,
    body,
    sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
  });
  response.writeHead(answer.statusCode, answer.headers as Record<string, string | string[]>);
  response.end(answer.body);
  if (traced !== undefined) stack.activity.recordHop('api.response', traced);
}

/** The API and the path within it: `/<stage>/rest` when the stage prefix is there, else the bare path. */
function findApi(apis: readonly LocalRestApi[], method: string, pathname: string): { api: LocalRestApi; path: string } | undefined {
  for (const api of apis) {
    const stagePrefix = `/${api.stageName}`;
    if (pathname.startsWith(`${stagePrefix}/`)) {
      const path = pathname.slice(stagePrefix.length);
      if (api.matches(method, path)) return { api, path };
    }
    if (api.matches(method, pathname)) return { api, path: pathname };
  }
  // An unknown path still gets API Gateway's own answer from the first API.
  const first = apis[0];
  return first ? { api: first, path: pathname } : undefined;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
