import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The test files that take longest, about longest first (durations of a CI run on the 2-core machine, 2026-12-03: the
 * real-Odoo billing scenarios about 5.5 min each, the outage 3–4 min, the CRM, PayPal, reconciliation and saga
 * stories 2–3 min). Vitest's own order runs the files it has no timings for by size, largest first: on a clean clone
 * (CI) the real-Odoo suites, small files that call a shared scenario, then started last and ran alone at the end,
 * minutes after everything else had finished. Order only: it decides nothing about passing.
 */
const LONGEST_FIRST: readonly RegExp[] = [
  // Two real Odoo servers beside two sandbox files at first, not four servers at once on two cores.
  /billing-scenarios\.real-odoo-18/,
  /dunning-saga\.test/,
  /billing-scenarios\.real-odoo-19/,
  /billing-scenarios\.test/,
  /odoo-outage\.real-odoo-18/,
  /onboarding-saga\.test/,
  /odoo-outage\.real-odoo-19/,
  /crm-identity\.real-odoo-19/,
  /reconciliation-books\.real-odoo-18/,
  /crm-identity\.real-odoo-18/,
  /paypal-stories\.real-odoo-18/,
  /paypal-stories\.real-odoo-19/,
  /reconciliation-books\.real-odoo-19/,
  /stripe-customer-flow\.real-odoo-18/,
  /batched-odoo-writes\.real-odoo-19/,
  /synth\.test/,
  /salesforce-flow\.test/,
  /crm-identity\.test/,
  /batched-odoo-writes\.real-odoo-18/,
  /support-stories\.test/,
];

const rankOf = (file: TestSpecification): number => {
  const rank = LONGEST_FIRST.findIndex((pattern) => pattern.test(file.moduleId));
  return rank === -1 ? LONGEST_FIRST.length : rank;
};

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const byDefault = await super.sort(files);
    // Array.prototype.sort is stable: the files of one rank (all the unlisted ones) keep vitest's order.
    return [...byDefault].sort((a, b) => rankOf(a) - rankOf(b));
  }
}
