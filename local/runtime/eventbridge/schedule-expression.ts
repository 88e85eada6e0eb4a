/**
 * EventBridge schedule expressions (`ScheduleExpression` of a rule): `rate(N unit)` and the six-field
 * `cron(minutes hours day-of-month month day-of-week year)`, always in UTC, to the minute.
 *
 * Hand-written, deliberately: the maintained cron libraries (croner, cron-parser) read the Unix dialect
 * (Sunday is 0, no year field, a sixth field means seconds first, day-of-month OR day-of-week), so an
 * EventBridge expression would have to be rewritten field by field before they could read it, and
 * `aws-cron-parser`, the one package for AWS's dialect, assumes the expression was validated by AWS
 * already: a typo would give a wrong schedule instead of an error at start. What AWS accepts is small
 * enough to check and evaluate here (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html):
 * - `rate(1 minute|hour|day)`, `rate(N minutes|hours|days)` for N > 1 (AWS wants the singular for 1
 *   and the plural otherwise);
 * - cron fields with `,` `-` `*` `/`, names `JAN-DEC` and `SUN-SAT` (Sunday is 1), a range may wrap
 *   (`FRI-MON`, `22-2`) as in Quartz, whose syntax EventBridge's is;
 * - `?` in exactly one of day-of-month and day-of-week (AWS rejects both set or both `?`);
 * - day-of-month `L` (last day), `LW` (last weekday), `nW` (weekday nearest the nth, within the month);
 * - day-of-week `L` (Saturday, the last day of the week), `nL` (last such day of the month), `n#k`
 *   (kth such day of the month; alone in its field, as AWS requires).
 * Anything else (`L-3`, `W` in a list…) is an `InvalidScheduleExpressionError` saying what is wrong.
 */

export class InvalidScheduleExpressionError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`Invalid schedule expression ${JSON.stringify(expression)}: ${reason}`);
    this.name = 'InvalidScheduleExpressionError';
  }
}

export type ScheduleExpression =
  | { readonly kind: 'rate'; readonly expression: string; readonly periodMs: number }
  | { readonly kind: 'cron'; readonly expression: string; readonly cron: CronSchedule };

export interface CronSchedule {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly dayOfMonth: DayOfMonthSpec;
  readonly months: ReadonlySet<number>;
  readonly dayOfWeek: DayOfWeekSpec;
  readonly years: ReadonlySet<number>;
}

/** Day-of-week numbers are EventBridge's: 1 = Sunday … 7 = Saturday. */
export type DayOfMonthSpec =
  | { readonly kind: 'any' }
  | { readonly kind: 'days'; readonly days: ReadonlySet<number> }
  | { readonly kind: 'last' }
  | { readonly kind: 'lastWeekday' }
  | { readonly kind: 'nearestWeekday'; readonly day: number };

export type DayOfWeekSpec =
  | { readonly kind: 'any' }
  | { readonly kind: 'days'; readonly days: ReadonlySet<number> }
  | { readonly kind: 'lastOfMonth'; readonly day: number }
  | { readonly kind: 'nthOfMonth'; readonly day: number; readonly nth: number };

const MINUTE_MS = 60_000;
const UNIT_MS = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS } as const;
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldRange {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for the values from `min` on (JAN = 1, SUN = 1). */
  readonly names?: readonly string[];
}

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: DAY_NAMES },
  year: { name: 'year', min: MIN_YEAR, max: MAX_YEAR },
} as const satisfies Record<string, FieldRange>;

/** Parses a rule's `ScheduleExpression`; throws `InvalidScheduleExpressionError` with the reason. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const text = expression.trim();
  const rate = /^rate\((.*)\)$/s.exec(text);
  if (rate) return { kind: 'rate', expression, periodMs: parseRate(expression, rate[1] as string) };
  const cron = /^cron\((.*)\)$/s.exec(text);
  if (cron) return { kind: 'cron', expression, cron: parseCron(expression, cron[1] as string) };
  throw new InvalidScheduleExpressionError(expression, 'expected rate(value unit) or cron(minutes hours day-of-month month day-of-week year)');
}

/**
 * The first run strictly after `after`, or `undefined` when the schedule has none (a cron whose years
 * are past). A rate runs every period from `rateStart` (taken to the minute: EventBridge schedules to
 * the minute), the time the rule was created; a cron ignores it.
 */
export function nextRunAfter(schedule: ScheduleExpression, after: Date, rateStart: Date = after): Date | undefined {
  if (schedule.kind === 'rate') {
    const start = Math.floor(rateStart.getTime() / MINUTE_MS) * MINUTE_MS;
    const periods = Math.max(1, Math.floor((after.getTime() - start) / schedule.periodMs) + 1);
    return new Date(start + periods * schedule.periodMs);
  }
  return nextCronRun(schedule.cron, after);
}

function parseRate(expression: string, body: string): number {
  const match = /^\s*(\d+)\s+([a-z]+)\s*$/.exec(body);
  if (!match) throw new InvalidScheduleExpressionError(expression, 'a rate is rate(value unit), e.g. rate(5 minutes)');
  const value = Number(match[1]);
  const unit = match[2] as string;
  const singular = unit.replace(/s$/, '') as keyof typeof UNIT_MS;
  if (!Object.hasOwn(UNIT_MS, singular)) throw new InvalidScheduleExpressionError(expression, `unit ${unit}: use minute(s), hour(s) or day(s)`);
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidScheduleExpressionError(expression, 'the value must be a positive whole number');
  const plural = unit.endsWith('s');
  if (value === 1 && plural) throw new InvalidScheduleExpressionError(expression, `a value of 1 takes the singular: rate(1 ${singular})`);
  if (value > 1 && !plural) throw new InvalidScheduleExpressionError(expression, `a value above 1 takes the plural: rate(${value} ${singular}s)`);
  return value * UNIT_MS[singular];
}

function parseCron(expression: string, body: string): CronSchedule {
  const fields = body.trim().toUpperCase().split(/\s+/);
  if (fields.length !== 6) {
    throw new InvalidScheduleExpressionError(expression, `a cron has six fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`);
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  const fail = (reason: string): never => {
    throw new InvalidScheduleExpressionError(expression, reason);
  };
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    fail('exactly one of day-of-month and day-of-week must be ? (a value or * in one needs ? in the other)');
  }
  return {
    minutes: [...parseField(minutes, FIELDS.minutes, fail)].sort((a, b) => a - b),
    hours: [...parseField(hours, FIELDS.hours, fail)].sort((a, b) => a - b),
    dayOfMonth: parseDayOfMonth(dayOfMonth, fail),
    months: parseField(month, FIELDS.month, fail),
    dayOfWeek: parseDayOfWeek(dayOfWeek, fail),
    years: parseField(year, FIELDS.year, fail),
  };
}

function parseDayOfMonth(field: string, fail: (reason: string) => never): DayOfMonthSpec {
  if (field === '?' || field === '*') return { kind: 'any' };
  if (field === 'L') return { kind: 'last' };
  if (field === 'LW') return { kind: 'lastWeekday' };
  const nearest = /^(\d+)W$/.exec(field);
  if (nearest) return { kind: 'nearestWeekday', day: parseValue(nearest[1] as string, FIELDS.dayOfMonth, fail) };
  if (/[LW]/.test(field)) fail(`day-of-month ${field}: L, LW and nW (e.g. 15W) stand alone in the field`);
  return { kind: 'days', days: parseField(field, FIELDS.dayOfMonth, fail) };
}

function parseDayOfWeek(field: string, fail: (reason: string) => never): DayOfWeekSpec {
  if (field === '?' || field === '*') return { kind: 'any' };
  if (field === 'L') return { kind: 'days', days: new Set([7]) };
  const last = /^(\w+)L$/.exec(field);
  if (last) return { kind: 'lastOfMonth', day: parseValue(last[1] as string, FIELDS.dayOfWeek, fail) };
  if (field.includes('#')) {
    const nth = /^(\w+)#(\d+)$/.exec(field);
    if (!nth) fail(`day-of-week ${field}: # takes one day and its rank, alone in the field (e.g. 3#2, the second Tuesday)`);
    const rank = Number((nth as RegExpExecArray)[2]);
    if (rank < 1 || rank > 5) fail(`day-of-week ${field}: the rank after # is 1 to 5`);
    return { kind: 'nthOfMonth', day: parseValue((nth as RegExpExecArray)[1] as string, FIELDS.dayOfWeek, fail), nth: rank };
  }
  if (field.includes('L')) fail(`day-of-week ${field}: L stands alone or after one day (e.g. 6L, the last Friday)`);
  return { kind: 'days', days: parseField(field, FIELDS.dayOfWeek, fail) };
}

/** `*`, and comma-separated `v`, `a-b`, `a/step`, `a-b/step`, `*\/step`. */
function parseField(field: string, range: FieldRange, fail: (reason: string) => never): Set<number> {
  if (field === '?') fail(`? is only for day-of-month or day-of-week, not ${range.name}`);
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const match = /^([^/-]+)(?:-([^/-]+))?(?:\/(\d+))?$/.exec(item);
    if (!match) fail(`${range.name} ${JSON.stringify(item)} is not a value, a range or a step`);
    const [, from, to, stepText] = match as RegExpExecArray;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) fail(`${range.name} ${item}: the step must be at least 1`);
    let start: number;
    let end: number;
    if (from === '*') {
      if (to !== undefined) fail(`${range.name} ${item}: * cannot start a range`);
      start = range.min;
      end = range.max;
    } else {
      start = parseValue(from as string, range, fail);
      // `a/step` runs from a to the end of the field.
      end = to !== undefined ? parseValue(to, range, fail) : stepText !== undefined ? range.max : start;
    }
    // A range that ends before it starts wraps around the end of the field (Quartz, e.g. FRI-MON).
    const span = end >= start ? end - start : range.max - start + 1 + (end - range.min);
    for (let offset = 0; offset <= span; offset += step) {
      const value = start + offset;
      values.add(value > range.max ? value - (range.max - range.min + 1) : value);
    }
  }
  return values;
}

function parseValue(text: string, range: FieldRange, fail: (reason: string) => never): number {
  const named = range.names?.indexOf(text) ?? -1;
  const value = named >= 0 ? range.min + named : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(value)) fail(`${range.name} ${JSON.stringify(text)} is not a number${range.names ? ` or one of ${range.names.join(' ')}` : ''}`);
  if (value < range.min || value > range.max) fail(`${range.name} ${value} is outside ${range.min}-${range.max}`);
  return value;
}

/** Day by day from the minute after `after`, skipping whole months and years that cannot match. */
function nextCronRun(cron: CronSchedule, after: Date): Date | undefined {
  const first = new Date(Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  let year = first.getUTCFullYear();
  let month = first.getUTCMonth() + 1;
  let day = first.getUTCDate();
  let fromMinuteOfDay = first.getUTCHours() * 60 + first.getUTCMinutes();
  const lastYear = Math.max(...cron.years);
  while (year <= lastYear) {
    if (!cron.years.has(year)) {
      [year, month, day, fromMinuteOfDay] = [year + 1, 1, 1, 0];
      continue;
    }
    if (!cron.months.has(month)) {
      [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
      [day, fromMinuteOfDay] = [1, 0];
      continue;
    }
    if (dayMatches(cron, year, month, day)) {
      const time = firstTimeOfDayFrom(cron, fromMinuteOfDay);
      if (time) return new Date(Date.UTC(year, month - 1, day, time.hour, time.minute));
    }
    if (day >= daysInMonth(year, month)) {
      [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
      day = 1;
    } else {
      day += 1;
    }
    fromMinuteOfDay = 0;
  }
  return undefined;
}

function firstTimeOfDayFrom(cron: CronSchedule, fromMinuteOfDay: number): { hour: number; minute: number } | undefined {
  for (const hour of cron.hours) {
    for (const minute of cron.minutes) if (hour * 60 + minute >= fromMinuteOfDay) return { hour, minute };
  }
  return undefined;
}

function dayMatches(cron: CronSchedule, year: number, month: number, day: number): boolean {
  const lastDay = daysInMonth(year, month);
  const weekday = (d: number) => new Date(Date.UTC(year, month - 1, d)).getUTCDay() + 1;
  const dom = cron.dayOfMonth;
  switch (dom.kind) {
    case 'days':
      if (!dom.days.has(day)) return false;
      break;
    case 'last':
      if (day !== lastDay) return false;
      break;
    case 'lastWeekday': {
      const lastWeekday = weekday(lastDay) === 7 ? lastDay - 1 : weekday(lastDay) === 1 ? lastDay - 2 : lastDay;
      if (day !== lastWeekday) return false;
      break;
    }
    case 'nearestWeekday': {
      if (dom.day > lastDay) return false;
      const target = weekday(dom.day);
      // Saturday goes back to Friday unless that leaves the month; Sunday goes on to Monday likewise.
      const nearest = target === 7 ? (dom.day === 1 ? 3 : dom.day - 1) : target === 1 ? (dom.day === lastDay ? dom.day - 2 : dom.day + 1) : dom.day;
      if (day !== nearest) return false;
      break;
    }
  }
  const dow = cron.dayOfWeek;
  switch (dow.kind) {
    case 'days':
      return dow.days.has(weekday(day));
    case 'lastOfMonth':
      return weekday(day) === dow.day && day + 7 > lastDay;
    case 'nthOfMonth':
      return weekday(day) === dow.day && Math.ceil(day / 7) === dow.nth;
    default:
      return true;
  }
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
