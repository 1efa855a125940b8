/** Calendar fields of an instant in a time zone (month 1-12, weekday 0 = Sunday). */
export interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

// Constructing an Intl.DateTimeFormat is slow: one per zone, reused.
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The calendar fields of `ms` (epoch milliseconds) in IANA zone `zone` (or `UTC`). */
export function zonedParts(ms: number, zone: string): ZonedParts {
  const d = new Date(ms);
  if (zone === 'UTC') {
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      millisecond: d.getUTCMilliseconds(),
      weekday: d.getUTCDay(),
    };
  }
  const out: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(d)) out[p.type] = p.value;
  const year = Number(out['year']);
  return {
    year: out['era'] === 'BC' || out['era'] === 'B' ? 1 - year : year,
    month: Number(out['month']),
    day: Number(out['day']),
    hour: Number(out['hour']),
    minute: Number(out['minute']),
    second: Number(out['second']),
    millisecond: ((ms % 1000) + 1000) % 1000,
    weekday: WEEKDAYS[out['weekday'] ?? 'Sun'] ?? 0,
  };
}

function offsetAt(ms: number, zone: string): number {
  const p = zonedParts(ms, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millisecond);
  return asUtc - ms;
}

/**
 * The instant at wall-clock time (fields may overflow: day 0, month 13 are normalized as by
 * `Date.UTC`) in `zone`. In a DST gap the time moves forward by the gap (as java.time); in an overlap the earlier instant wins.
 */
export function zonedToEpoch(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0, zone = 'UTC'): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (zone === 'UTC') return wall;
  const guess = wall - offsetAt(wall, zone);
  // Offsets around the guess cover both sides of a DST transition.
  const candidates = [guess, wall - offsetAt(guess, zone), wall - offsetAt(guess - 3 * HOUR_MS, zone), wall - offsetAt(guess + 3 * HOUR_MS, zone)];
  const valid = candidates.filter((t) => t + offsetAt(t, zone) === wall);
  return valid.length > 0 ? Math.min(...valid) : Math.max(...candidates);
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `ms` moved by `months` calendar months in `zone`, the day clamped to the month's end (Jan 31 + 1 = Feb 28/29). */
export function addMonths(ms: number, months: number, zone: string): number {
  const p = zonedParts(ms, zone);
  const total = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const day = Math.min(p.day, daysInMonth(year, month));
  return zonedToEpoch(year, month, day, p.hour, p.minute, p.second, p.millisecond, zone);
}

/** Day of the year, 1-366, of a calendar date. */
export function dayOfYear(year: number, month: number, day: number): number {
  return Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / DAY_MS) + 1;
}

/** ISO-8601 week number (weeks start Monday; week 1 holds the year's first Thursday), as PostgreSQL. */
export function isoWeek(year: number, month: number, day: number): number {
  const date = Date.UTC(year, month - 1, day);
  const mondayBased = (new Date(date).getUTCDay() + 6) % 7;
  const thursday = date + (3 - mondayBased) * DAY_MS;
  const thursdayYear = new Date(thursday).getUTCFullYear();
  return Math.floor((thursday - Date.UTC(thursdayYear, 0, 1)) / (7 * DAY_MS)) + 1;
}
