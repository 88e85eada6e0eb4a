import { startSalesforceSandbox } from './server';

/** `npx tsx local/sandboxes/salesforce/main.ts`: the Salesforce sandbox on PORT (default 12114) until stopped; changes are not relayed (no stack). */
const sandbox = await startSalesforceSandbox({ port: Number(process.env['PORT'] ?? 12114) });
process.stdout.write(`Salesforce sandbox on ${sandbox.url} (org ${sandbox.orgId})\n`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
