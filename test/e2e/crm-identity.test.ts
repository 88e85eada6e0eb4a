import { crmIdentityStories } from './crm-identity';
import { ODOO_SANDBOX } from './local-stack-harness';

// One customer across CRM and billing against the Odoo sandbox; the real Odoo run is beside this file.
crmIdentityStories(ODOO_SANDBOX);
