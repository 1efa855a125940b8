import { ValidationError } from '../core/errors.js';

/** Calls `onIdle` after `ms` without `touch()`; a no-op without `ms`. */
export interface IdleLock {
  touch(): void;
  stop(): void;
}

/**
 * The idle timer of `lockAfterIdleMs`. Touching only records the time (cheap on every call); one
 * timer re-arms itself for the remaining time, so a busy vault does not reset timers per call.
 */
export function createIdleLock(ms: number | undefined, onIdle: () => void): IdleLock {
  if (ms === undefined) return { touch() {}, stop() {} };
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new ValidationError('invalid-option', 'lockAfterIdleMs must be a positive number of milliseconds', { option: 'lockAfterIdleMs' });
  }
  let last = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (delay: number) => {
    timer = setTimeout(() => {
      const waited = Date.now() - last;
      if (waited >= ms) {
        timer = undefined;
        onIdle();
      } else arm(ms - waited);
    }, delay);
  };
  arm(ms);
  return {
    touch() {
      last = Date.now();
      if (timer === undefined) arm(ms);
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
