import { jsonRpcServerVersion } from './jsonrpc-transport';
import { webServerVersion } from './json2-transport';
import type { OdooTransportKind } from './odoo-errors';
import type { OdooHttp } from './odoo-transport';

/** JSON-2 exists from Odoo 19; JSON-RPC is deprecated there and goes away later. */
export const FIRST_JSON2_MAJOR = 19;

export interface DetectedTransport {
  kind: OdooTransportKind;
  major: number;
  version: string;
}

/**
 * Probes the server version once (the caller caches the answer per database):
 * `GET /web/version` first (Odoo 19+: 1 request), else JSON-RPC `common.version` (older servers
 * without the route: 2 requests). Major ≥ 19 → JSON-2, else JSON-RPC.
 */
export async function detectTransport(http: OdooHttp): Promise<DetectedTransport> {
  const version = (await webServerVersion(http)) ?? (await jsonRpcServerVersion(http));
  return { ...version, kind: version.major >= FIRST_JSON2_MAJOR ? 'json2' : 'jsonrpc' };
}
