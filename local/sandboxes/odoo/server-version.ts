/**
 * The Odoo versions the sandbox can impersonate, and what each reports about itself, as recorded:
 * `common.version` over JSON-RPC (18.0 fixture) and `GET /web/version` (19.0 fixture). A client picks
 * its transport from these answers, so they must be exactly what a real server says.
 */
export type OdooVersion = '18.0' | '19.0';

export interface ServerVersionInfo {
  serverVersion: string;
  versionInfo: [number, number, number, string, number, string];
  serie: string;
}

const SERVER_VERSIONS: Record<OdooVersion, ServerVersionInfo> = {
  '18.0': { serverVersion: '18.0+e-20241005', versionInfo: [18, 0, 0, 'final', 0, ''], serie: '18.0' },
  '19.0': { serverVersion: '19.0', versionInfo: [19, 0, 0, 'final', 0, ''], serie: '19.0' },
};

export function serverVersionInfo(version: OdooVersion): ServerVersionInfo {
  return SERVER_VERSIONS[version];
}

/** The `common.version` result of the JSON-RPC `common` service. */
export function commonServiceVersion(version: OdooVersion): Record<string, unknown> {
  const info = serverVersionInfo(version);
  return {
    server_version: info.serverVersion,
    server_version_info: info.versionInfo,
    server_serie: info.serie,
    protocol_version: 1,
  };
}

/** The body of `GET /web/version`. */
export function webVersion(version: OdooVersion): Record<string, unknown> {
  const info = serverVersionInfo(version);
  return { version_info: info.versionInfo, version: info.serverVersion };
}

/** JSON-2 (`/json/2/...`) exists from Odoo 19 on. */
export function servesJson2(version: OdooVersion): boolean {
  return version !== '18.0';
}
