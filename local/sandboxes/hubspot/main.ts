import { startHubspotSandbox } from './server';

/** `npx tsx local/sandboxes/hubspot/main.ts`: the HubSpot sandbox on PORT (default 12113) until stopped. */
const sandbox = await startHubspotSandbox({ port: Number(process.env['PORT'] ?? 12113), ...(process.env['HUBSPOT_WEBHOOK_URL'] ? { webhookUrl: process.env['HUBSPOT_WEBHOOK_URL'] } : {}) });
process.stdout.write(`HubSpot sandbox on ${sandbox.url} (portal ${sandbox.portalId}, app ${sandbox.appId}; webhooks signed for ${sandbox.webhookUrl})\n`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
