import { ODOO_SANDBOX } from './local-stack-harness';
import { paypalStories } from './paypal-stories';

// PayPal's money stories against the Odoo sandbox: the quick run; the real Odoo runs are beside this file.
paypalStories(ODOO_SANDBOX);
