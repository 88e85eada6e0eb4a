import { describe, it } from 'vitest';
import { realOdooUnavailableReason } from '../support/real-odoo';
import { ODOO_SANDBOX } from './local-stack-harness';
import { outageSuite } from './odoo-outage';

// Where real Odoo 18 and 19 run it (odoo-outage.real-odoo-18/19.test.ts), the sandbox run proves nothing more and
// would cost CI three minutes; a machine without the Odoo sources runs it here.
if (realOdooUnavailableReason() === undefined) {
  describe.skip('a 60 s Odoo outage mid-burst on the Odoo sandbox — proven on real Odoo 18 and 19 in this run', () => {
    it('applies every invoice and payment exactly once', () => undefined);
  });
} else {
  outageSuite(ODOO_SANDBOX);
}
