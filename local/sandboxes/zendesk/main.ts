import { startZendeskSandbox } from './server';

/** `npx tsx local/sandboxes/zendesk/main.ts`: the Zendesk sandbox on PORT (default 12115) until stopped; ZENDESK_EVENTS_URL= where event subscriptions deliver. */
const sandbox = await startZendeskSandbox({ port: Number(process.env['PORT'] ?? 12115) });
if (process.env['ZENDESK_EVENTS_URL']) sandbox.subscribe(process.env['ZENDESK_EVENTS_URL']);
process.stdout.write(`Zendesk sandbox on ${sandbox.url} (API user ${sandbox.apiUserId}${process.env['ZENDESK_EVENTS_URL'] ? `; events to ${process.env['ZENDESK_EVENTS_URL']}` : ''})\n`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
