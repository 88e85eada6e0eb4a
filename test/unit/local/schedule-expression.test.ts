import { describe, expect, it } from 'vitest';
import { InvalidScheduleExpressionError, nextRunAfter, parseScheduleExpression } from '../../../local/runtime/eventbridge/schedule-expression';

/** The next `count` runs strictly after `after`, as ISO instants (UTC). */
function runs(expression: string, after: string, count = 1, rateStart?: string): (string | undefined)[] {
  const schedule = parseScheduleExpression(expression);
  const times: (string | undefined)[] = [];
  let cursor = new Date(after);
  for (let index = 0; index < count; index += 1) {
    const next = nextRunAfter(schedule, cursor, rateStart ? new Date(rateStart) : undefined);
    times.push(next?.toISOString());
    if (!next) break;
    cursor = next;
  }
  return times;
}

describe('rate expressions', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 5 * 60_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(12 hours)', 12 * 3_600_000],
    ['rate(1 day)', 86_400_000],
    ['rate(7 days)', 7 * 86_400_000],
  ])('%s is a period of %i ms', (expression, periodMs) => {
    expect(parseScheduleExpression(expression)).toEqual({ kind: 'rate', expression, periodMs });
  });

  it('counts periods from the minute the rule came to exist, and skips none', () => {
    // Started at 10:00:30: EventBridge schedules to the minute, so the periods count from 10:00:00.
    expect(runs('rate(5 minutes)', '2026-03-01T10:00:30Z', 3, '2026-03-01T10:00:30Z')).toEqual([
      '2026-03-01T10:05:00.000Z',
      '2026-03-01T10:10:00.000Z',
      '2026-03-01T10:15:00.000Z',
    ]);
    // Asked later (the runtime was busy), the next run is still on the grid, never in the past.
    expect(runs('rate(1 day)', '2026-03-04T09:00:00Z', 1, '2026-03-01T10:00:00Z')).toEqual(['2026-03-04T10:00:00.000Z']);
    expect(runs('rate(1 hour)', '2026-03-01T11:00:00Z', 1, '2026-03-01T10:00:00Z')).toEqual(['2026-03-01T12:00:00.000Z']);
  });
});

describe('cron expressions (the examples of the EventBridge documentation, in UTC)', () => {
  it('cron(0 10 * * ? *): 10:00 every day', () => {
    expect(runs('cron(0 10 * * ? *)', '2026-03-01T09:59:30Z', 2)).toEqual(['2026-03-01T10:00:00.000Z', '2026-03-02T10:00:00.000Z']);
    expect(runs('cron(0 10 * * ? *)', '2026-03-01T10:00:00Z')).toEqual(['2026-03-02T10:00:00.000Z']);
  });

  it('cron(15 12 * * ? *): 12:15 every day', () => {
    expect(runs('cron(15 12 * * ? *)', '2026-02-28T12:15:00Z', 2)).toEqual(['2026-03-01T12:15:00.000Z', '2026-03-02T12:15:00.000Z']);
  });

  it('cron(0 18 ? * MON-FRI *): 18:00 Monday to Friday', () => {
    // 2026-03-01 is a Sunday, 2026-03-06 a Friday.
    expect(runs('cron(0 18 ? * MON-FRI *)', '2026-03-01T00:00:00Z', 6)).toEqual([
      '2026-03-02T18:00:00.000Z',
      '2026-03-03T18:00:00.000Z',
      '2026-03-04T18:00:00.000Z',
      '2026-03-05T18:00:00.000Z',
      '2026-03-06T18:00:00.000Z',
      '2026-03-09T18:00:00.000Z',
    ]);
  });

  it('cron(0 8 1 * ? *): 08:00 on the first of each month, across a year end', () => {
    expect(runs('cron(0 8 1 * ? *)', '2026-03-01T08:00:00Z')).toEqual(['2026-04-01T08:00:00.000Z']);
    expect(runs('cron(0 8 1 * ? *)', '2026-11-15T00:00:00Z', 2)).toEqual(['2026-12-01T08:00:00.000Z', '2027-01-01T08:00:00.000Z']);
  });

  it('cron(0/15 * * * ? *): every 15 minutes', () => {
    expect(runs('cron(0/15 * * * ? *)', '2026-03-01T10:07:00Z', 4)).toEqual([
      '2026-03-01T10:15:00.000Z',
      '2026-03-01T10:30:00.000Z',
      '2026-03-01T10:45:00.000Z',
      '2026-03-01T11:00:00.000Z',
    ]);
  });

  it('cron(0/10 * ? * MON-FRI *): every 10 minutes on weekdays', () => {
    expect(runs('cron(0/10 * ? * MON-FRI *)', '2026-03-06T23:45:00Z', 3)).toEqual([
      '2026-03-06T23:50:00.000Z',
      '2026-03-09T00:00:00.000Z',
      '2026-03-09T00:10:00.000Z',
    ]);
  });

  it('cron(0/5 8-17 ? * MON-FRI *): every 5 minutes from 08:00 to 17:55 on weekdays', () => {
    expect(runs('cron(0/5 8-17 ? * MON-FRI *)', '2026-03-06T17:54:00Z', 2)).toEqual(['2026-03-06T17:55:00.000Z', '2026-03-09T08:00:00.000Z']);
  });

  it('reads lists, names in any case, numeric days of the week (1 = Sunday) and a year', () => {
    expect(runs('cron(0 9,17 ? * 1,7 *)', '2026-03-01T09:00:00Z', 3)).toEqual([
      '2026-03-01T17:00:00.000Z',
      '2026-03-07T09:00:00.000Z',
      '2026-03-07T17:00:00.000Z',
    ]);
    expect(runs('cron(30 6 ? jan-mar mon 2027)', '2026-03-01T00:00:00Z')).toEqual(['2027-01-04T06:30:00.000Z']);
  });

  it('wraps a range past the end of the field', () => {
    expect(runs('cron(0 22-1 * * ? *)', '2026-03-01T12:00:00Z', 4)).toEqual([
      '2026-03-01T22:00:00.000Z',
      '2026-03-01T23:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-02T01:00:00.000Z',
    ]);
    expect(runs('cron(0 12 ? * FRI-MON *)', '2026-03-02T12:00:00Z', 2)).toEqual(['2026-03-06T12:00:00.000Z', '2026-03-07T12:00:00.000Z']);
  });

  it('supports L, LW and nW in day-of-month', () => {
    expect(runs('cron(0 9 L * ? *)', '2026-02-01T00:00:00Z', 2)).toEqual(['2026-02-28T09:00:00.000Z', '2026-03-31T09:00:00.000Z']);
    expect(runs('cron(0 9 L 2 ? 2028)', '2026-01-01T00:00:00Z')).toEqual(['2028-02-29T09:00:00.000Z']);
    // 2026-05-31 is a Sunday: the last weekday is Friday the 29th.
    expect(runs('cron(0 9 LW 5 ? *)', '2026-01-01T00:00:00Z')).toEqual(['2026-05-29T09:00:00.000Z']);
    // 2026-03-15 is a Sunday: Monday the 16th. 2026-08-01 is a Saturday: Monday the 3rd, never July.
    expect(runs('cron(0 9 15W 3 ? *)', '2026-01-01T00:00:00Z')).toEqual(['2026-03-16T09:00:00.000Z']);
    expect(runs('cron(0 9 1W 8 ? *)', '2026-01-01T00:00:00Z')).toEqual(['2026-08-03T09:00:00.000Z']);
  });

  it('supports L, nL and n#k in day-of-week', () => {
    expect(runs('cron(0 9 ? 3 6L 2026)', '2026-01-01T00:00:00Z')).toEqual(['2026-03-27T09:00:00.000Z']);
    expect(runs('cron(0 9 ? 3 3#2 2026)', '2026-01-01T00:00:00Z')).toEqual(['2026-03-10T09:00:00.000Z']);
    expect(runs('cron(0 9 ? * L *)', '2026-03-01T00:00:00Z')).toEqual(['2026-03-07T09:00:00.000Z']);
  });

  it('has no next run once its years are past', () => {
    expect(runs('cron(0 0 1 1 ? 2020)', '2026-03-01T00:00:00Z')).toEqual([undefined]);
    expect(runs('cron(0 0 1 1 ? 2020-2030)', '2030-01-01T00:00:00Z')).toEqual([undefined]);
  });
});

describe('invalid expressions', () => {
  it.each([
    ['rate(1 minutes)', /singular: rate\(1 minute\)/],
    ['rate(5 minute)', /plural: rate\(5 minutes\)/],
    ['rate(0 minutes)', /positive whole number/],
    ['rate(30 seconds)', /unit seconds: use minute\(s\), hour\(s\) or day\(s\)/],
    ['rate(five minutes)', /rate\(value unit\)/],
    ['at(2026-03-01T10:00:00)', /expected rate\(value unit\) or cron\(/],
    ['cron(0 10 * * ?)', /six fields .* not 5/],
    ['cron(0 10 * * * *)', /exactly one of day-of-month and day-of-week must be \?/],
    ['cron(0 10 ? * ? *)', /exactly one of day-of-month and day-of-week must be \?/],
    ['cron(60 10 * * ? *)', /minutes 60 is outside 0-59/],
    ['cron(0 24 * * ? *)', /hours 24 is outside 0-23/],
    ['cron(0 10 0 * ? *)', /day-of-month 0 is outside 1-31/],
    ['cron(0 10 * FOO ? *)', /month "FOO" is not a number or one of JAN/],
    ['cron(0 10 ? * 0 *)', /day-of-week 0 is outside 1-7/],
    ['cron(0 10 * * ? 2200)', /year 2200 is outside 1970-2199/],
    ['cron(0 ? * * ? *)', /\? is only for day-of-month or day-of-week, not hours/],
    ['cron(0/0 10 * * ? *)', /step must be at least 1/],
    ['cron(0 10 L-3 * ? *)', /day-of-month L-3: L, LW and nW/],
    ['cron(0 10 1W,15W * ? *)', /day-of-month 1W,15W: L, LW and nW/],
    ['cron(0 10 ? * 3#1,6#3 *)', /# takes one day and its rank, alone in the field/],
    ['cron(0 10 ? * 3#6 *)', /rank after # is 1 to 5/],
    ['cron(0 10 ? * MON-FRIL *)', /L stands alone or after one day/],
    ['cron(0 10 ? * FUN *)', /day-of-week "FUN" is not a number or one of SUN MON/],
  ])('%s', (expression, reason) => {
    const parse = () => parseScheduleExpression(expression);
    expect(parse).toThrow(InvalidScheduleExpressionError);
    expect(parse).toThrow(reason);
    expect(parse).toThrow(`Invalid schedule expression ${JSON.stringify(expression)}`);
  });
});
