import { describeOnRealOdoo } from '../../support/real-odoo';
import { partnerMergerContract } from './partner-merger-contract';

describeOnRealOdoo('18.0', 'partner merges of one company', partnerMergerContract);
