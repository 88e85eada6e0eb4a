import { startPaypalSandbox } from './server';

/** `npx tsx local/sandboxes/paypal/main.ts`: the PayPal sandbox on PORT (default 12112) until stopped. */
const sandbox = await startPaypalSandbox({ port: Number(process.env['PORT'] ?? 12112) });
process.stdout.write(`PayPal sandbox on ${sandbox.url} (webhook id ${sandbox.webhookId}, certificate ${sandbox.certUrl})\n`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
