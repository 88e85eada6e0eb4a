/**
 * Runs the Stripe sandbox on its own: `npx tsx local/sandboxes/stripe/main.ts`.
 * Env: PORT (default 12111, stripe-mock's), HOST, STRIPE_SANDBOX_DATA (data directory, default
 * .local/stripe-sandbox), STRIPE_SANDBOX_API_KEY (default sk_test_sandbox).
 */
import { SANDBOX_STRIPE_API_KEY, startStripeSandbox } from './server';

const sandbox = await startStripeSandbox({
  port: Number(process.env.PORT ?? 12111),
  host: process.env.HOST ?? '127.0.0.1',
  dataDir: process.env.STRIPE_SANDBOX_DATA ?? '.local/stripe-sandbox',
  apiKey: process.env.STRIPE_SANDBOX_API_KEY,
});
const keyShown = process.env.STRIPE_SANDBOX_API_KEY === undefined ? SANDBOX_STRIPE_API_KEY : '(from STRIPE_SANDBOX_API_KEY)';
console.log(`Stripe sandbox listening on ${sandbox.url} (API key ${keyShown}); seed with POST ${sandbox.url}/_sandbox/objects`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
