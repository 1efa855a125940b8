import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { createIdleLock } from '../../src/store/idle-lock.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createIdleLock', () => {
  it('calls onIdle once after the idle time without a touch', () => {
    const onIdle = vi.fn();
    createIdleLock(1000, onIdle);
    vi.advanceTimersByTime(999);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('applies a new idle time from the moment it is set, and turns off with undefined', () => {
    const onIdle = vi.fn();
    const idle = createIdleLock(undefined, onIdle);
    vi.advanceTimersByTime(10_000);
    idle.set(500);
    vi.advanceTimersByTime(499);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    idle.touch();
    idle.set(undefined);
    vi.advanceTimersByTime(10_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(() => idle.set(-1)).toThrow(ValidationError);
  });

  it('counts the idle time from the last touch', () => {
    const onIdle = vi.fn();
    const idle = createIdleLock(1000, onIdle);
    vi.advanceTimersByTime(600);
    idle.touch();
    vi.advanceTimersByTime(600);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(400);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('re-arms on the first touch after it fired (after an unlock)', () => {
    const onIdle = vi.fn();
    const idle = createIdleLock(1000, onIdle);
    vi.advanceTimersByTime(1000);
    idle.touch();
    vi.advanceTimersByTime(1000);
    expect(onIdle).toHaveBeenCalledTimes(2);
  });

  it('never fires after stop', () => {
    const onIdle = vi.fn();
    const idle = createIdleLock(1000, onIdle);
    idle.stop();
    vi.advanceTimersByTime(5000);
    expect(onIdle).not.toHaveBeenCalled();
  });

  it('is a no-op without a time', () => {
    const onIdle = vi.fn();
    const idle = createIdleLock(undefined, onIdle);
    idle.touch();
    vi.advanceTimersByTime(10 ** 9);
    expect(onIdle).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('rejects lockAfterIdleMs = %d with ValidationError', (ms) => {
    expect(() => createIdleLock(ms, () => undefined)).toThrow(ValidationError);
  });
});
