import type { SourceSystem } from '../../events/envelope';

/**
 * The envelopes of a test's canonical events, as the ingest makes them: each call is the next provider event
 * (`evt_<n>`, id `<system>:evt_<n>:<type>`), one second after the previous one from `start`, so that later
 * calls are newer for the watermarks. `reset()` starts again at `evt_1` (a test that starts from a fresh Odoo).
 */
export function canonicalEnvelopes(options: { start: string; eventPrefix?: string; system?: SourceSystem }) {
  const system = options.system ?? 'stripe';
  const startMs = Date.parse(options.start);
  let count = 0;
  const next = (type: string, subject: string) => {
    count += 1;
    const eventId = `${options.eventPrefix ?? 'evt_'}${count}`;
    return {
      id: `${system}:${eventId}:${type}`,
      source: system,
      subject,
      time: new Date(startMs + count * 1000).toISOString(),
      correlationId: `${system}:${eventId}`,
      causationId: eventId,
      dataVersion: 1 as const,
    };
  };
  return Object.assign(next, {
    reset: () => {
      count = 0;
    },
  });
}
