import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleJson2, isJson2Path } from './json2-transport';
import { handleJsonRpc } from './jsonrpc-transport';
import { buildModelRegistry } from './models';
import { type ExtraJournal, seedDatabase } from './seed';
import type { ServedDatabase } from './served-database';
import { servesJson2, webVersion, type OdooVersion } from './server-version';
import { OdooStore } from './store';
import { readBody } from '../read-body';

/** The dev API key the sandbox accepts unless told otherwise: it stands for `<api-key>` in the fixtures. */
export const SANDBOX_API_KEY = 'sandbox-api-key';

export interface OdooSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Where the database is saved (one JSON file per database); in memory only when not given. */
  dataDir?: string;
  /** The database name; `odoo18` / `odoo19` (the fixtures') by default. */
  database?: string;
  login?: string;
  apiKey?: string;
  version?: OdooVersion;
  /**
   * Journals beyond the recorded ones (ids after 7), e.g. a bank journal per payment provider. Seeded into a new
   * database, and added to one saved before they were asked for (`npm start`'s data kept across versions).
   */
  extraJournals?: readonly ExtraJournal[];
}

export interface OdooSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Back to the freshly seeded database (on disk too). */
  reset(): void;
  /**
   * Fault injection: until the returned function is called, another transaction keeps updating row `row` of
   * PostgreSQL table `table` (`res_partner`: a model's name with `_` for `.`), so a call that updates or deletes
   * that row fails with a serialization failure, as a real Odoo answers once its own retries are spent
   * (`load()` reports it among its messages instead, as Odoo does).
   */
  concurrentUpdates(table: string, row: number): () => void;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * An HTTP server that behaves like the recorded Odoo: JSON-RPC (`/jsonrpc`) in every version, JSON-2
 * (`/json/2/<model>/<method>`) from 19.0, and `GET /web/version` for a client to pick between them.
 */
export async function startOdooSandbox(options: OdooSandboxOptions = {}): Promise<OdooSandbox> {
  const version = options.version ?? '18.0';
  const databaseName = options.database ?? `odoo${version.split('.')[0]}`;
  const login = options.login ?? 'admin';
  const extraJournals = options.extraJournals ?? [];
  const store = new OdooStore(OdooStore.filePathFor(options.dataDir, databaseName), () => seedDatabase({ version, login, extraJournals }));
  if (store.odooVersion !== version) {
    throw new Error(
      `${options.dataDir ?? ''} holds an Odoo ${store.odooVersion} database named ${databaseName}: ` +
        `start the sandbox with version ${store.odooVersion} or another dataDir`,
    );
  }
  if (extraJournals.length > 0) {
    // A database saved before these journals were asked for gets them too, at the ids the stage config names.
    const seeded = seedDatabase({ version, login, extraJournals }).tables['account.journal'] ?? {};
    store.transaction(() => extraJournals.forEach((extra) => store.ensure('account.journal', seeded[String(extra.id)]!)));
  }
  const database: ServedDatabase = {
    name: databaseName,
    login,
    apiKey: options.apiKey ?? SANDBOX_API_KEY,
    version,
    store,
    models: buildModelRegistry(version),
  };

  const server = createServer((request, response) => {
    readBody(request, MAX_BODY_BYTES)
      .then((rawBody) => route(database, request, rawBody, response))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        sendJson(response, 400, { name: 'werkzeug.exceptions.BadRequest', message });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    reset: () => store.reset(),
    concurrentUpdates: (table, row) => {
      const model = database.models.all().find((candidate) => candidate.name.replaceAll('.', '_') === table);
      if (model === undefined) throw new Error(`no model of the sandbox is stored in table ${table}`);
      return store.contend(model.name, row);
    },
  };
}

function route(database: ServedDatabase, request: IncomingMessage, rawBody: string, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://sandbox').pathname;
  const method = request.method ?? 'GET';
  if (path === '/web/version' && (method === 'GET' || method === 'POST')) {
    sendJson(response, 200, webVersion(database.version));
  } else if (path === '/jsonrpc' && method === 'POST') {
    sendJson(response, 200, handleJsonRpc(database, rawBody));
  } else if (isJson2Path(path) && servesJson2(database.version)) {
    const { status, body } = handleJson2(database, method, path, request.headers, rawBody);
    sendJson(response, status, body);
  } else {
    sendJson(response, 404, { name: 'werkzeug.exceptions.NotFound', message: 'The requested URL was not found on the server.' });
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  response.end(payload);
}
