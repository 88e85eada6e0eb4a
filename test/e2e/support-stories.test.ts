import { ODOO_SANDBOX } from './local-stack-harness';
import { supportStories } from './support-stories';

// On the Odoo sandbox; a real-Odoo variant runs the same stories (support-stories.real-odoo-*.test.ts, not yet added).
supportStories(ODOO_SANDBOX);
