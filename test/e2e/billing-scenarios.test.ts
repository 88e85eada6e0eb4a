import { billingScenarios } from './billing-scenarios';
import { ODOO_SANDBOX } from './local-stack-harness';

// The billing scenarios against the Odoo sandbox: the quick run; the real Odoo runs are beside this file.
billingScenarios(ODOO_SANDBOX);
