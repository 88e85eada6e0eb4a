import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of an Odoo (the sandbox): every request the stack makes is forwarded unchanged and
 * counted by `model.method`, and the number of requests in flight at once is tracked. What the benches read
 * to report Odoo calls per event and the peak concurrency Odoo saw — measured at Odoo's door, not told by
 * the client being measured.
 */
export interface OdooCallCounts {
  /** `res.partner.load` → calls. */
  readonly byOperation: Map<string, number>;
  total: number;
  inFlight: number;
  peakInFlight: number;
}

export interface OdooCountingProxy {
  readonly url: string;
  readonly counts: OdooCallCounts;
  /** Starts a new tally (a new phase of the bench). */
  reset(): void;
  close(): Promise<void>;
}

/** `model.method` of a JSON-RPC `execute_kw` or a JSON-2 call; the path for anything else (`/web/version`). */
export function odooOperation(path: string, body: string): string {
  const json2 = /^\/json\/2\/([^/]+)\/([^/?]+)/.exec(path);
  if (json2) return `${json2[1]}.${json2[2]}`;
  try {
    const params = (JSON.parse(body) as { params?: { service?: string; method?: string; args?: unknown[] } }).params;
    if (params?.method === 'execute_kw' && Array.isArray(params.args)) return `${String(params.args[3])}.${String(params.args[4])}`;
    if (params?.service) return `${params.service}.${String(params.method)}`;
  } catch {
    // Not JSON: counted under its path.
  }
  return path;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startOdooCountingProxy(target: string): Promise<OdooCountingProxy> {
  const upstream = new URL(target);
  const counts: OdooCallCounts = { byOperation: new Map(), total: 0, inFlight: 0, peakInFlight: 0 };
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const operation = odooOperation(request.url ?? '/', body.toString('utf8'));
      counts.byOperation.set(operation, (counts.byOperation.get(operation) ?? 0) + 1);
      counts.total += 1;
      counts.inFlight += 1;
      counts.peakInFlight = Math.max(counts.peakInFlight, counts.inFlight);
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        counts.inFlight -= 1;
      };
      const forwarded = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: { ...request.headers, host: upstream.host } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          answer.on('end', done);
          answer.on('error', done);
        },
      );
      forwarded.on('error', (error) => {
        done();
        response.writeHead(502).end(String(error));
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    reset: () => {
      counts.byOperation.clear();
      counts.total = 0;
      counts.peakInFlight = counts.inFlight;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
