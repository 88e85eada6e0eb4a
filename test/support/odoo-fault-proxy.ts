import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP proxy in front of an Odoo that injects the faults a production Odoo shows, switchable while the
 * stack runs (the chaos bench and the outage test put it between the stack and Odoo):
 * - `pass`: every request forwarded unchanged;
 * - `down`: Odoo is gone (a restart, an upgrade window, a crashed host): the listener is closed, so new
 *   connections are refused (ECONNREFUSED), and open connections — requests in flight, kept-alive
 *   sockets — are destroyed at once;
 * - `errors`: that percentage of requests is answered 502 or 503 (alternating) without reaching Odoo, as a
 *   load balancer does while Odoo's workers are saturated or restarting;
 * - `latency`: every request waits that long before it is forwarded (a slow network or an overloaded Odoo).
 * It counts what it did, so a run can say how many calls met the fault.
 */
export type OdooFault =
  | { readonly kind: 'pass' }
  | { readonly kind: 'down' }
  | { readonly kind: 'errors'; readonly percent: number }
  | { readonly kind: 'latency'; readonly ms: number };

export interface OdooFaultCounts {
  /** Requests received (whatever happened to them). */
  requests: number;
  /** Requests forwarded to Odoo. */
  forwarded: number;
  /** Requests answered 502/503 by the proxy. */
  injectedErrors: number;
  /** Connections destroyed on arrival or when Odoo went down (refused connections never reach the proxy: not counted). */
  droppedConnections: number;
}

export interface OdooFaultProxy {
  readonly url: string;
  readonly counts: OdooFaultCounts;
  readonly fault: OdooFault;
  /** Switches the fault; resolves once it applies (for `down`: the listener is closed, every socket destroyed). */
  setFault(fault: OdooFault): Promise<void>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts the proxy toward `target` on a free port (or `port`). `random` decides which requests an `errors`
 * fault fails (default Math.random); a seeded one makes a run repeatable.
 */
export async function startOdooFaultProxy(target: string, options: { port?: number; random?: () => number } = {}): Promise<OdooFaultProxy> {
  const upstream = new URL(target);
  const random = options.random ?? Math.random;
  const counts: OdooFaultCounts = { requests: 0, forwarded: 0, injectedErrors: 0, droppedConnections: 0 };
  let fault: OdooFault = { kind: 'pass' };
  let errorStatus = 502;
  const sockets = new Set<Socket>();

  const forward = (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    counts.forwarded += 1;
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: { ...request.headers, host: upstream.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    // Odoo itself unreachable (a real server stopped behind the proxy): what a gateway answers.
    forwarded.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502).end(String(error));
      else response.destroy();
    });
    forwarded.end(body);
  };

  const server = createServer((request, response) => {
    counts.requests += 1;
    void readBody(request).then((body) => {
      const current = fault;
      if (current.kind === 'down') {
        // Arrived on a socket accepted just before the listener closed.
        counts.droppedConnections += 1;
        request.socket.destroy();
        return;
      }
      if (current.kind === 'errors' && random() * 100 < current.percent) {
        counts.injectedErrors += 1;
        const status = errorStatus;
        errorStatus = errorStatus === 502 ? 503 : 502;
        response.writeHead(status, { 'content-type': 'text/html' }).end(`<html><body><h1>${status} ${status === 502 ? 'Bad Gateway' : 'Service Unavailable'}</h1></body></html>`);
        return;
      }
      if (current.kind === 'latency') {
        setTimeout(() => (request.socket.destroyed ? undefined : forward(request, response, body)), current.ms);
        return;
      }
      forward(request, response, body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listenOutsideEphemeralRange(listen, options.port);
  const { port } = server.address() as AddressInfo;

  const destroyAll = () => {
    for (const socket of sockets) {
      counts.droppedConnections += 1;
      socket.destroy();
    }
    sockets.clear();
  };
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      // close() waits for open connections to end: they are destroyed right after, so it returns at once.
      server.close(() => resolve());
      destroyAll();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    get fault() {
      return fault;
    },
    async setFault(next) {
      const wasDown = fault.kind === 'down';
      fault = next;
      if (next.kind === 'down' && !wasDown) await stopListening();
      // Back on the same port: the stack's configured Odoo URL does not change across an outage.
      if (next.kind !== 'down' && wasDown) await listen(port);
    },
    async close() {
      fault = { kind: 'down' };
      await stopListening();
    },
  };
}

/**
 * Binds the proxy to `port`, or to a free one below the kernel's ephemeral range (Linux: 32768–60999). A port the
 * system chose (`listen(0)`) lies inside that range, and while the proxy is `down` (its listener closed) any outgoing
 * connection of the test process may be given it as its local port: listening there again after the outage then
 * fails with EADDRINUSE (a CI run did). Below the range, only another listener could take it, and none does.
 */
async function listenOutsideEphemeralRange(listen: (port: number) => Promise<void>, port: number | undefined): Promise<void> {
  if (port !== undefined) return listen(port);
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      return await listen(candidate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error('no free port between 20000 and 32000 for the Odoo fault proxy');
}
