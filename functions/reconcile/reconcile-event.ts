import * as z from 'zod/mini';
import { describeIssue } from '../platform/validation-issues';
import { type Period, yesterday } from './reconcile-period';

const day = () => z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
/** A manual run `{ from, to, reemit }`; the schedule's event (or `{}`) reconciles yesterday. */
const reconcileEventSchema = z.looseObject({ from: z.optional(day()), to: z.optional(day()), reemit: z.optional(z.boolean()) });

export class InvalidReconcileEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReconcileEventError';
  }
}

export function periodOf(event: unknown, now: Date): { period: Period; reemit: boolean } {
  const parsed = reconcileEventSchema.safeParse(event ?? {});
  if (!parsed.success) throw new InvalidReconcileEventError(`invalid reconcile event: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  const { from, to, reemit } = parsed.data;
  if ((from === undefined) !== (to === undefined)) throw new InvalidReconcileEventError('give both from and to, or neither (yesterday)');
  return { period: from && to ? { from, to } : yesterday(now), reemit: reemit ?? false };
}
