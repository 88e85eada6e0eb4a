import { OdooClient, resetDatabaseGuards } from '../../../../functions/erp/odoo';
import type { OdooError } from '../../../../functions/erp/odoo/odoo-errors';
import type { RealOdooCase, StepResult } from './cases';

export interface OdooCaseTarget {
  readonly url: string;
  readonly database: string;
  readonly login: string;
  readonly apiKey: string;
  readonly transport: 'jsonrpc' | 'json2';
  /**
   * Runs `call` while another transaction keeps updating `row` of `table` (a real Odoo: PostgreSQL; the
   * sandbox: its injected concurrency failure).
   */
  readonly underConcurrentUpdate: <T>(table: string, row: number, call: () => Promise<T>) => Promise<T>;
}

export interface HttpExchange {
  readonly request: { method: string; path: string; body: unknown };
  readonly response: { status: number; body: unknown };
}

export interface CaseRun {
  readonly name: string;
  readonly note: string;
  /** Per step: what `observe` kept of the answer, or the error's class and message. */
  readonly observed: Array<{ step: string; result: StepResult }>;
  /** The raw HTTP exchanges (API key masked), for people reading the recording. */
  readonly exchanges: HttpExchange[];
}

/** Runs one case through the project's Odoo client; every call's outcome is observed, failures included. */
export async function runOdooCase(target: OdooCaseTarget, odooCase: RealOdooCase): Promise<CaseRun> {
  const exchanges: HttpExchange[] = [];
  resetDatabaseGuards();
  const client = new OdooClient({
    // One attempt per call, a generous timeout (Odoo retries a serialization failure itself for up to ~30 s):
    // the case shows what one call answers.
    connection: { url: target.url, database: target.database, login: target.login, transport: target.transport, ratePerSecond: 1000, timeoutMs: 90_000, retry: { maxAttempts: 1 } },
    apiKey: { get: async () => target.apiKey, invalidate: () => undefined },
    fetch: recordingFetch(target, exchanges),
  });
  const results = new Map<string, unknown>();
  const observed: CaseRun['observed'] = [];
  for (const step of odooCase.steps) {
    const call = () => client.call(step.model, step.method, step.params(results));
    let result: StepResult;
    try {
      const value = step.concurrentUpdate === undefined ? await call() : await target.underConcurrentUpdate(step.concurrentUpdate.table, step.concurrentUpdate.row(results), call);
      results.set(step.name, value);
      result = { ok: true, value: step.observe === undefined ? null : step.observe(value) };
    } catch (error) {
      const failure = error as OdooError;
      result = { ok: false, error: { name: failure.name, odooName: failure.odooName, message: failure.message } };
    }
    observed.push({ step: step.name, result });
  }
  return { name: odooCase.name, note: odooCase.note, observed, exchanges };
}

function recordingFetch(target: OdooCaseTarget, exchanges: HttpExchange[]): typeof fetch {
  const mask = (text: string) => text.split(target.apiKey).join('<api-key>');
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  return async (input, init) => {
    const response = await fetch(input, init);
    const text = await response.text();
    const url = new URL(String(input));
    exchanges.push({
      request: { method: init?.method ?? 'GET', path: url.pathname, body: typeof init?.body === 'string' ? parse(mask(init.body)) : null },
      response: { status: response.status, body: shortenTraceback(parse(mask(text))) },
    });
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * The recorded answer with its Python traceback cut to the last 3 lines (the frame that raised, the raise and
 * the exception line), as the shared recording does: the full traceback is dozens of lines of server paths and
 * line numbers that change with every Odoo build and say nothing about the contract. JSON-RPC carries it in
 * `error.data.debug`, JSON-2 in the body's `debug`.
 */
function shortenTraceback(body: unknown): unknown {
  const shorten = (debug: unknown) => (typeof debug === 'string' ? debug.trimEnd().split('\n').slice(-3).join('\n') : debug);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const record = body as Record<string, unknown>;
  const error = record['error'];
  if (error !== null && typeof error === 'object' && !Array.isArray(error)) {
    const data = (error as Record<string, unknown>)['data'];
    if (data !== null && typeof data === 'object' && !Array.isArray(data) && 'debug' in data) {
      return { ...record, error: { ...error, data: { ...data, debug: shorten((data as Record<string, unknown>)['debug']) } } };
    }
  }
  return 'debug' in record ? { ...record, debug: shorten(record['debug']) } : record;
}
