import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_CATALOG } from '../../../../events/catalog';
import { stripeEventSchema, stripeEventToCanonical } from '../../../../functions/providers/stripe/stripe-event-to-canonical';
import { sampleStripeEvents } from '../../../fixtures/stripe/stripe-events';

const versionOf = (type: string): number => EVENT_CATALOG.find((entry) => entry.type === type)?.version ?? 1;
const committedSample = (type: string): unknown => JSON.parse(readFileSync(new URL(`../../../../events/samples/${type}.v${versionOf(type)}.json`, import.meta.url), 'utf8'));

describe('the catalog’s samples (events/samples)', () => {
  it.each(Object.entries(sampleStripeEvents()))('show exactly what the ingest makes of Stripe’s sample for %s', (type, event) => {
    // Act
    const result = stripeEventToCanonical(stripeEventSchema.parse(event));
    // Assess
    expect(result).toEqual({ handled: true, events: [committedSample(type)] });
  });
});
