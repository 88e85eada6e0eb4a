/**
 * The development values `npm start` seeds into `.local/secrets.json` on first start. They only ever
 * work against the local runtime: no Stripe account signs with this secret, and the sandbox key opens
 * nothing but the local Odoo sandbox. Edit the file to use other values; it is read on every request.
 */

/** The Stripe webhook signing secret (`whsec_…`) the local Stripe ingest verifies signatures with. */
export const LOCAL_STRIPE_WEBHOOK_SIGNING_SECRET = 'whsec_local_development_only_0000000000';
