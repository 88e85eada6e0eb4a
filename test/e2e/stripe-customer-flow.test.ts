import { ODOO_SANDBOX } from './local-stack-harness';
import { stripeCustomerFlow } from './stripe-customer-flow';

// The customer flow against the Odoo sandbox; the real Odoo runs are beside this file.
stripeCustomerFlow(ODOO_SANDBOX);
