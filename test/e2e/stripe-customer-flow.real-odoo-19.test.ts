import { describeOnRealOdoo } from '../support/real-odoo';
import { stripeCustomerFlow } from './stripe-customer-flow';

describeOnRealOdoo('19.0', 'Stripe customer flow', (version) => stripeCustomerFlow({ kind: 'real', version, database: 'e2e_customers' }));
