/**
 * Runs the Odoo sandbox on its own: `npx tsx local/sandboxes/odoo/main.ts`.
 * Env: PORT (default 8069, Odoo's), ODOO_SANDBOX_DATA (data directory, default .local/odoo-sandbox),
 * ODOO_SANDBOX_VERSION (18.0 | 19.0), ODOO_SANDBOX_DATABASE, ODOO_SANDBOX_LOGIN, ODOO_SANDBOX_API_KEY.
 */
import { startOdooSandbox, SANDBOX_API_KEY } from './server';
import type { OdooVersion } from './server-version';

const version = (process.env.ODOO_SANDBOX_VERSION ?? '18.0') as OdooVersion;
if (version !== '18.0' && version !== '19.0') {
  console.error(`ODOO_SANDBOX_VERSION must be 18.0 or 19.0, got ${String(version)}`);
  process.exit(1);
}

const sandbox = await startOdooSandbox({
  port: Number(process.env.PORT ?? 8069),
  host: process.env.HOST ?? '127.0.0.1',
  dataDir: process.env.ODOO_SANDBOX_DATA ?? '.local/odoo-sandbox',
  version,
  database: process.env.ODOO_SANDBOX_DATABASE,
  login: process.env.ODOO_SANDBOX_LOGIN,
  apiKey: process.env.ODOO_SANDBOX_API_KEY,
});
const apiKeyShown = process.env.ODOO_SANDBOX_API_KEY === undefined ? SANDBOX_API_KEY : '(from ODOO_SANDBOX_API_KEY)';
console.log(`Odoo ${version} sandbox listening on ${sandbox.url} (login ${process.env.ODOO_SANDBOX_LOGIN ?? 'admin'}, API key ${apiKeyShown})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
