import type { DatePart, PeriodUnit, TimeAnchor, TimeToken } from './ast.js';
import { addMonths, dayOfYear, isoWeek, zonedParts, zonedToEpoch } from './zoned-time.js';
import type { XPathContext } from './xpath-context.js';

const FIXED_MS: Partial<Record<PeriodUnit, number>> = {
  Second: 1_000,
  Minute: 60_000,
  Hour: 3_600_000,
  Day: 86_400_000,
  Week: 7 * 86_400_000,
};

/** The current instant of a context, in epoch milliseconds. */
export function nowOf(ctx: XPathContext): number {
  const now = ctx.now;
  if (now === undefined) return Date.now();
  return (typeof now === 'function' ? now() : now).getTime();
}

/** The zone of a context (default UTC). */
export function zoneOf(ctx: XPathContext): string {
  return ctx.timeZone ?? 'UTC';
}

/**
 * Start of the period an anchor names. Weeks start on Sunday (Mendix's default locale; mendix.md
 * §3.5 numbers weekdays 1 = Sunday). EndOf is the first instant of the NEXT period, so that
 * `>= BeginOfX and < EndOfX` (mendix.md #25) covers the whole period without a 1 ms hole.
 */
function anchorValue(anchor: TimeAnchor, now: number, zone: string): number {
  if (anchor.kind === 'now') return now;
  const z = anchor.utc ? 'UTC' : zone;
  const p = zonedParts(now, z);
  const shift = anchor.kind === 'end' ? 1 : 0;
  switch (anchor.unit) {
    case 'CurrentMinute':
      return zonedToEpoch(p.year, p.month, p.day, p.hour, p.minute + shift, 0, 0, z);
    case 'CurrentHour':
      return zonedToEpoch(p.year, p.month, p.day, p.hour + shift, 0, 0, 0, z);
    case 'CurrentDay':
      return zonedToEpoch(p.year, p.month, p.day + shift, 0, 0, 0, 0, z);
    case 'Yesterday':
      return zonedToEpoch(p.year, p.month, p.day - 1 + shift, 0, 0, 0, 0, z);
    case 'Tomorrow':
      return zonedToEpoch(p.year, p.month, p.day + 1 + shift, 0, 0, 0, 0, z);
    case 'CurrentWeek':
      return zonedToEpoch(p.year, p.month, p.day - p.weekday + 7 * shift, 0, 0, 0, 0, z);
    case 'CurrentMonth':
      return zonedToEpoch(p.year, p.month + shift, 1, 0, 0, 0, 0, z);
    case 'CurrentYear':
      return zonedToEpoch(p.year + shift, 1, 1, 0, 0, 0, 0, z);
  }
}

/**
 * Epoch milliseconds of a time token in a context. Second..Week lengths are fixed (Day = 24 h,
 * Week = 7 days, as mendix.md §3.3). Month/Year lengths are not documented: they add calendar
 * months/years in the anchor's zone, clamping the day (Jan 31 + 1 month = end of February).
 */
export function timeTokenValue(token: TimeToken, ctx: XPathContext): number {
  const zone = token.anchor.kind !== 'now' && token.anchor.utc ? 'UTC' : zoneOf(ctx);
  let ms = anchorValue(token.anchor, nowOf(ctx), zoneOf(ctx));
  for (const o of token.offsets) {
    const count = Number(o.count) * o.sign;
    const fixed = FIXED_MS[o.period];
    if (fixed !== undefined) ms += count * fixed;
    else ms = addMonths(ms, o.period === 'Month' ? count : count * 12, zone);
  }
  return ms;
}

/** The integer a `<part>-from-dateTime` function yields for `ms` in `zone` (weekday 1 = Sunday). */
export function datePartValue(ms: number, part: DatePart, zone: string): number {
  const p = zonedParts(ms, zone);
  switch (part) {
    case 'year':
      return p.year;
    case 'month':
      return p.month;
    case 'day':
      return p.day;
    case 'hours':
      return p.hour;
    case 'minutes':
      return p.minute;
    case 'seconds':
      return p.second;
    case 'quarter':
      return Math.ceil(p.month / 3);
    case 'day-of-year':
      return dayOfYear(p.year, p.month, p.day);
    case 'week':
      return isoWeek(p.year, p.month, p.day);
    case 'weekday':
      return p.weekday + 1;
  }
}
