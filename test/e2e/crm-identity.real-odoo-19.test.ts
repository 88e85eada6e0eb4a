import { describeOnRealOdoo } from '../support/real-odoo';
import { crmIdentityStories } from './crm-identity';

describeOnRealOdoo('19.0', 'one customer across CRM and billing', (version) => crmIdentityStories({ kind: 'real', version, database: 'e2e_crm_identity' }));
