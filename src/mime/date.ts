/**
 * Tolerant RFC 5322 §3.3 date-time parsing (with the §4.3 obsolete forms): optional day of
 * week, missing seconds, two- and three-digit years (§4.3: <50 -> 20xx, else 19xx; 3 digits
 * +1900), named and military zones (military and unknown zones count as +0000, as §4.3 allows
 * for -0000), comments, and asctime-like orderings. Returns ms since the epoch, or null when no
 * day, month, year can be found or a field is out of range.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -5 * 60,
  edt: -4 * 60,
  cst: -6 * 60,
  cdt: -5 * 60,
  mst: -7 * 60,
  mdt: -6 * 60,
  pst: -8 * 60,
  pdt: -7 * 60,
};

export function parseRfc5322Date(value: string): number | null {
  const text = value.replace(/\([^)]*\)/g, ' ').toLowerCase();
  const tokens = text.split(/[\s,]+/).filter((t) => t !== '');
  let day: number | null = null;
  let month: number | null = null;
  let year: number | null = null;
  let yearDigits = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  let zone: number | null = null;
  let timeSeen = false;
  for (const raw of tokens) {
    let t = raw;
    const time = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?(.*)$/.exec(t);
    if (time !== null && !timeSeen) {
      timeSeen = true;
      h = +time[1]!;
      mi = +time[2]!;
      s = time[3] === undefined ? 0 : +time[3];
      t = time[4]!;
      if (t === '') continue;
    }
    const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(t);
    if (offset !== null && zone === null) {
      const minutes = +offset[2]! * 60 + +offset[3]!;
      zone = offset[1] === '-' ? -minutes : minutes;
      continue;
    }
    if (/^\d+$/.test(t)) {
      const n = +t;
      if (day === null && t.length <= 2 && n >= 1 && n <= 31 && (month === null || year === null)) {
        day = n;
      } else if (year === null) {
        year = n;
        yearDigits = t.length;
      }
      continue;
    }
    // "2-jan-2006" style
    const dashed = /^(\d{1,2})-([a-z]{3})[a-z]*-(\d{2,4})$/.exec(t);
    if (dashed !== null) {
      day = +dashed[1]!;
      month = MONTHS.indexOf(dashed[2]!);
      year = +dashed[3]!;
      yearDigits = dashed[3]!.length;
      continue;
    }
    const m = MONTHS.indexOf(t.slice(0, 3));
    if (month === null && m >= 0 && /^[a-z]+\.?$/.test(t)) {
      month = m;
      continue;
    }
    if (zone === null && timeSeen && /^[a-z]{1,5}$/.test(t) && !/^(mon|tue|wed|thu|fri|sat|sun)/.test(t)) {
      zone = ZONES[t] ?? 0;
    }
  }
  if (day === null || month === null || month < 0 || year === null) return null;
  if (yearDigits <= 2) year += year < 50 ? 2000 : 1900;
  else if (yearDigits === 3) year += 1900;
  if (h > 23 || mi > 59 || s > 60 || day > 31) return null;
  if (s === 60) s = 59;
  const ms = Date.UTC(year, month, day, h, mi, s);
  if (!Number.isFinite(ms)) return null;
  // reject day overflow (31 Feb) rather than rolling into the next month
  if (new Date(ms).getUTCDate() !== day) return null;
  return ms - (zone ?? 0) * 60000;
}
