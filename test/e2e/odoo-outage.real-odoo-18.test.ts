import { describeOnRealOdoo } from '../support/real-odoo';
import { outageSuite } from './odoo-outage';

describeOnRealOdoo('18.0', 'a 60 s Odoo outage mid-burst', (version) => outageSuite({ kind: 'real', version, database: 'e2e_outage' }));
