import { OdooClient, resetDatabaseGuards } from '../../../functions/erp/odoo';
import type { OdooSandbox } from '../../../local/sandboxes/odoo/server';

export interface SandboxTarget {
  readonly version: '18.0' | '19.0';
  readonly transport: 'jsonrpc' | 'json2';
}

/**
 * Empties the sandbox's database and returns a client of it over `transport`, every Odoo call reported to
 * `onCall` (`res.partner.load`), with no rate limit to wait on: the contract tests' starting point.
 */
export function freshSandboxClient(sandbox: OdooSandbox, target: SandboxTarget, apiKey: string, onCall: (operation: string) => void): OdooClient {
  resetDatabaseGuards();
  sandbox.reset();
  return new OdooClient({
    connection: { url: sandbox.url, database: `odoo${target.version.split('.')[0]}`, login: 'admin', transport: target.transport, ratePerSecond: 1000 },
    apiKey: { get: async () => apiKey, invalidate: () => undefined },
    onCall: ({ operation }) => onCall(operation),
  });
}
