import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineSignals } from '../../../../functions/erp/odoo/deadline-signals';

afterEach(() => {
  vi.useRealTimers();
});

describe('DeadlineSignals', () => {
  it('aborts every request of a slot after at least the timeout and at most timeout + slot', () => {
    // Prepare
    vi.useFakeTimers({ now: 0 });
    const deadlines = new DeadlineSignals(1000, 50, () => Date.now());
    // Act
    const first = deadlines.signal();
    vi.advanceTimersByTime(49);
    const sameSlot = deadlines.signal();
    vi.advanceTimersByTime(1);
    const nextSlot = deadlines.signal();
    // Assess
    expect(sameSlot).toBe(first);
    expect(nextSlot).not.toBe(first);
    vi.advanceTimersByTime(999); // t = 1049: the second request (started at 49) has run 1000 ms, but the slot ends at 1050
    expect(first.aborted).toBe(false);
    vi.advanceTimersByTime(1); // t = 1050: at most timeout + slot for the first request
    expect(first.aborted).toBe(true);
    expect(nextSlot.aborted).toBe(false);
    vi.advanceTimersByTime(50);
    expect(nextSlot.aborted).toBe(true);
  });
});
