/**
 * IMAP dates and date-times (RFC 9051 §9 "date", "date-time"; RFC 3501 §9).
 *
 * Invariants:
 * - Month names are case-insensitive on input and "Jan".."Dec" on output.
 * - A date is checked against its month's length (31-Feb is invalid); years 1..9999 only.
 * - date-time output is `dd-Mon-yyyy hh:mm:ss +zzzz` with the day space-padded to two characters.
 */
import type { SearchDate } from './ast.js';
import type { Reader } from './reader.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function monthIndex(name: string): number {
  const lower = name.toLowerCase();
  return MONTHS.findIndex((m) => m.toLowerCase() === lower);
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function validDate(year: number, month: number, day: number): boolean {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** date-text = date-day "-" date-month "-" date-year (no quotes); null if invalid. */
export function parseDateText(text: string): SearchDate | null {
  const m = /^([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})$/.exec(text);
  if (!m) return null;
  const day = Number(m[1]);
  const month = monthIndex(m[2]) + 1;
  const year = Number(m[3]);
  return validDate(year, month, day) ? { year, month, day } : null;
}

/**
 * date-time text without the quotes: "dd-Mon-yyyy hh:mm:ss +zzzz" (a leading space or a single
 * digit day accepted); milliseconds since the epoch, or null if invalid.
 */
export function parseDateTime(text: string): number | null {
  const m = /^ ?([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})$/.exec(text);
  if (!m) return null;
  const day = Number(m[1]);
  const month = monthIndex(m[2]) + 1;
  const year = Number(m[3]);
  const [hh, mm, ss, zh, zm] = [m[4], m[5], m[6], m[8], m[9]].map(Number);
  if (!validDate(year, month, day) || hh > 23 || mm > 59 || ss > 60 || zh > 23 || zm > 59) return null;
  const offset = (m[7] === '-' ? -1 : 1) * (zh * 60 + zm);
  // A leap second (ss = 60) is taken as the last second of the minute.
  const utc = Date.UTC(year, month - 1, day, hh, mm, Math.min(ss, 59));
  const d = new Date(utc);
  if (year < 100) d.setUTCFullYear(year);
  return d.getTime() - offset * 60_000;
}

/** "dd-Mon-yyyy hh:mm:ss +zzzz" without quotes, in the given zone (minutes east of UTC). */
export function encodeDateTime(ms: number, offsetMinutes = 0): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${day}-${MONTHS[d.getUTCMonth()]}-${pad(d.getUTCFullYear(), 4)} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** RFC 9051 §9 "date" in a search key: date-text or DQUOTE date-text DQUOTE. */
export function readSearchDate(r: Reader): SearchDate {
  let text: string;
  if (r.peekChar('"')) {
    text = r.quotedBytes().toString('latin1');
  } else {
    text = r.run((c) => (c >= 0x30 && c <= 0x39) || c === 0x2d || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
  }
  const date = parseDateText(text);
  if (date === null) r.fail('Invalid date');
  return date;
}

/** RFC 9051 §9 "date-time" (quoted) in APPEND. */
export function readDateTime(r: Reader): number {
  if (!r.peekChar('"')) r.fail('Expected date-time');
  const ms = parseDateTime(r.quotedBytes().toString('latin1'));
  if (ms === null) r.fail('Invalid date-time');
  return ms;
}
