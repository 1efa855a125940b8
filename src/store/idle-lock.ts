import { ValidationError } from '../core/errors.js';

/** Calls `onIdle` after `ms` without `touch()`; idle locking is off while `ms` is undefined. */
export interface IdleLock {
  touch(): void;
  /** Changes the idle time (undefined: off), counting from now. */
  set(ms: number | undefined): void;
  stop(): void;
}

function check(ms: number | undefined): void {
  if (ms !== undefined && (!Number.isFinite(ms) || ms <= 0)) {
    throw new ValidationError('invalid-option', 'lockAfterIdleMs must be a positive number of milliseconds', { option: 'lockAfterIdleMs' });
  }
}

/**
 * The idle timer of `lockAfterIdleMs`. Touching only records the time (cheap on every call); one
 * timer re-arms itself for the remaining time, so a busy vault does not reset timers per call.
 */
export function createIdleLock(initial: number | undefined, onIdle: () => void): IdleLock {
  check(initial);
  let ms = initial;
  let last = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (delay: number) => {
    timer = setTimeout(() => {
      timer = undefined;
      if (ms === undefined) return;
      const waited = Date.now() - last;
      if (waited >= ms) onIdle();
      else arm(ms - waited);
    }, delay);
  };
  const stop = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  if (ms !== undefined) arm(ms);
  return {
    touch() {
      last = Date.now();
      if (timer === undefined && ms !== undefined) arm(ms);
    },
    set(next) {
      check(next);
      ms = next;
      last = Date.now();
      stop();
      if (ms !== undefined) arm(ms);
    },
    stop() {
      ms = undefined;
      stop();
    },
  };
}
