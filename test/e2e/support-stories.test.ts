import { ODOO_SANDBOX } from './local-stack-harness';
import { supportStories } from './support-stories';

// On the Odoo sandbox; on real Odoo 18 and 19 the same stories run on the PayPal stories' server (paypal-stories.ts).
supportStories(ODOO_SANDBOX);
