import { describeOnRealOdoo } from '../support/real-odoo';
import { billingScenarios } from './billing-scenarios';

describeOnRealOdoo('19.0', 'billing scenarios', (version) => billingScenarios({ kind: 'real', version, database: 'e2e_billing' }));
