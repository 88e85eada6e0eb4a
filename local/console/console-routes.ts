import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalStack } from '../runtime/local-stack';
import { buildOpsState } from './ops-state';

/**
 * The ops console's HTTP routes on the runtime's port:
 * - `GET /` the page, `GET /_local/console.js` its script;
 * - `GET /_local/state` what the page shows (JSON);
 * - `POST /_local/redrive` `{ "queue": "<DLQ name>" }` moves a DLQ back to its source queue;
 * - `POST /_local/replay` `{ "from": ISO, "to": ISO, "bus"?: name }` replays an archive window;
 * - `POST /_local/executions/redrive` `{ "executionArn": … }` redrives a failed saga execution from its failed state.
 * Returns false for any other path, which then goes to the APIs.
 */

const STATIC_FILES: Readonly<Record<string, { file: string; contentType: string }>> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/_local/console.js': { file: 'console.js', contentType: 'text/javascript; charset=utf-8' },
};

export async function handleConsoleRequest(stack: LocalStack, url: URL, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  const method = request.method ?? 'GET';
  const staticFile = method === 'GET' ? STATIC_FILES[url.pathname] : undefined;
  if (staticFile) {
    response.writeHead(200, { 'content-type': staticFile.contentType, 'cache-control': 'no-store' });
    response.end(readFileSync(new URL(`./${staticFile.file}`, import.meta.url)));
    return true;
  }
  if (!url.pathname.startsWith('/_local/')) return false;

  try {
    if (method === 'GET' && url.pathname === '/_local/state') return sendJson(response, 200, buildOpsState(stack));
    if (method === 'GET' && url.pathname === '/_local/endpoints') {
      return sendJson(response, 200, { url: stack.url, endpoints: stack.endpoints, region: stack.identity.region, secretsFile: stack.secretsFile, odoo: stack.odoo });
    }
    if (method === 'POST' && url.pathname === '/_local/redrive') {
      const { queue } = (await readJson(request)) as { queue?: string };
      if (!queue) return sendJson(response, 400, { message: 'queue (the DLQ name) is required' });
      return sendJson(response, 200, { queue, moved: stack.redrive(queue) });
    }
    if (method === 'POST' && url.pathname === '/_local/executions/redrive') {
      const { executionArn } = (await readJson(request)) as { executionArn?: string };
      if (!executionArn) return sendJson(response, 400, { message: 'executionArn is required' });
      const execution = stack.stateMachines.redriveExecution(executionArn);
      return sendJson(response, 200, { executionArn, status: execution.status, redriveCount: execution.redriveCount ?? 0 });
    }
    if (method === 'POST' && url.pathname === '/_local/replay') {
      const { from, to, bus } = (await readJson(request)) as { from?: string; to?: string; bus?: string };
      const window = { from: new Date(from ?? 0), to: new Date(to ?? Date.now()) };
      if (Number.isNaN(window.from.getTime()) || Number.isNaN(window.to.getTime())) return sendJson(response, 400, { message: 'from and to must be ISO 8601 times' });
      const replayed = await stack.replay({ ...window, ...(bus ? { busName: bus } : {}) });
      return sendJson(response, 200, { replayed });
    }
    return sendJson(response, 404, { message: `no route ${method} ${url.pathname}` });
  } catch (error) {
    return sendJson(response, 409, { message: (error as Error).message });
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): true {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
  return true;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}
