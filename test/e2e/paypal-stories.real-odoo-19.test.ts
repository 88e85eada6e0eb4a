import { describeOnRealOdoo } from '../support/real-odoo';
import { paypalStories } from './paypal-stories';

describeOnRealOdoo('19.0', 'PayPal stories', (version) => paypalStories({ kind: 'real', version, database: 'e2e_paypal' }));
