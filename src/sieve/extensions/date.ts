/**
 * date and index (RFC 5260): the `date` test (§4) and `currentdate` test (§5) with every
 * date-part (§4.2), :zone and :originalzone (§4.1); and the index extension (§6): :index and
 * :last on header, address and date.
 *
 * Invariants:
 * - A date is taken from the whole field, or from the text after its last ';' (a Received
 *   field, §4); it must be RFC 5322 §3.3 date-time (with the §4.3 obsolete zones and 2/3-digit
 *   years) AND a real calendar date (§4: January 32nd or February 29th of a non-leap year make
 *   the test false). A field without one contributes no value, so relational :count sees 0 (§4).
 * - Without :zone or :originalzone the host's zone (input.zoneOffsetMinutes) applies (§4.1);
 *   every currentdate of one execution sees input.now (§5: one point in time).
 * - A second of 60 (leap second) survives zone shifts as "60"; shifting moves whole minutes.
 * - Zones and date-parts are checked at compile time when constant, at run time otherwise
 *   (a runtime error then: an invalid argument, not a non-matching message).
 * - :index counts header fields in the order the names are listed (§6); :last counts from the
 *   end; an index beyond the fields present selects nothing (the test is false).
 */
import type { Runtime } from '../interpreter.js';
import type { CommandDef, SieveExtension, SieveNode, TagDef, ValidationContext } from './extension.js';

const DATE_PARTS = ['year', 'month', 'day', 'date', 'julian', 'hour', 'minute', 'second', 'time', 'iso8601', 'std11', 'zone', 'weekday'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MINUTE = 60_000;
/** Modified Julian Day of 1970-01-01 (RFC 5260 §4.2 "julian"). */
const MJD_EPOCH = 40587;

/** RFC 5322 §4.3 obsolete zones; military letters mean "unknown", taken as -0000. */
const NAMED_ZONES: Record<string, number> = { ut: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };

/** A point in time with the offset it was written in. */
export interface ZonedTime {
  /** UTC milliseconds (seconds field capped at 59; see leap). */
  ms: number;
  /** Minutes east of UTC. */
  offset: number;
  /** The seconds field said 60. */
  leap: boolean;
}

/** Parses an RFC 5322 §3.3 date-time (comments removed), strictly enough to reject non-dates. */
export function parseDateTime(text: string): ZonedTime | null {
  const s = stripComments(text);
  const m = /^\s*(?:([A-Za-z]{3})\s*,\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?\s+([+-]\d{4}|[A-Za-z]{1,5})\s*$/.exec(s);
  if (m === null) return null;
  const month = MONTHS.indexOf(m[3]!.toLowerCase());
  if (month < 0) return null;
  let year = Number(m[4]);
  // RFC 5322 §4.3: two-digit years below 50 are 20xx, others 19xx; three digits add 1900.
  if (m[4]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[4]!.length === 3) year += 1900;
  const day = Number(m[2]);
  const hour = Number(m[5]);
  const minute = Number(m[6]);
  const second = m[7] === undefined ? 0 : Number(m[7]);
  if (hour > 23 || minute > 59 || second > 60) return null;
  let offset: number;
  const z = m[8]!;
  if (/^[+-]/.test(z)) {
    const hh = Number(z.slice(1, 3));
    const mm = Number(z.slice(3, 5));
    if (mm > 59) return null;
    offset = (z[0] === '-' ? -1 : 1) * (hh * 60 + mm);
  } else {
    const named = NAMED_ZONES[z.toLowerCase()];
    if (named === undefined && !/^[a-ik-z]$/i.test(z)) return null;
    offset = named ?? 0;
  }
  const local = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  const check = new Date(local);
  // §4: a date the calendar does not have (Feb 30) is not a date.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month || check.getUTCDate() !== day) return null;
  if (m[1] !== undefined && !DAYS.some((d) => d.toLowerCase() === m[1]!.toLowerCase())) return null;
  return { ms: local - offset * MINUTE, offset, leap: second === 60 };
}

/** The date in a header value: the whole value, or what follows its last ';' (§4). */
export function dateOfField(value: string): ZonedTime | null {
  // Comments first, so a ';' inside one does not split the field.
  const text = stripComments(value);
  const semi = text.lastIndexOf(';');
  return parseDateTime(semi >= 0 ? text.slice(semi + 1) : text) ?? (semi >= 0 ? parseDateTime(text) : null);
}

/** RFC 5322 §3.2.2 comments (nested up to a small depth) become spaces. */
function stripComments(value: string): string {
  let s = value;
  for (let i = 0; i < 8 && s.includes('('); i++) s = s.replace(/\([^()]*\)/g, ' ');
  return s;
}

/** "+hhmm" / "-hhmm" to minutes east, or null (§4.1 time-zone = ("+" / "-") 4DIGIT). */
export function parseZone(z: string): number | null {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(z);
  if (m === null || Number(m[3]) > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const p2 = (n: number): string => String(n).padStart(2, '0');

export function formatZone(offset: number): string {
  const abs = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${p2(Math.floor(abs / 60))}${p2(abs % 60)}`;
}

/** RFC 5322 §3.3 date-time of `ms` at `offset` minutes east of UTC. */
export function formatStd11(ms: number, offset: number, leap = false): string {
  const t = new Date(ms + offset * MINUTE);
  const month = MONTHS[t.getUTCMonth()]!;
  const sec = leap ? '60' : p2(t.getUTCSeconds());
  return `${DAYS[t.getUTCDay()]}, ${p2(t.getUTCDate())} ${month[0]!.toUpperCase()}${month.slice(1)} ${String(t.getUTCFullYear()).padStart(4, '0')} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${sec} ${formatZone(offset)}`;
}

/** One date-part (§4.2) of a time shown at `offset`. */
export function datePart(t: ZonedTime, offset: number, part: string): string {
  const d = new Date(t.ms + offset * MINUTE);
  const year = String(d.getUTCFullYear()).padStart(4, '0');
  const month = p2(d.getUTCMonth() + 1);
  const day = p2(d.getUTCDate());
  const time = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${t.leap ? '60' : p2(d.getUTCSeconds())}`;
  switch (part) {
    case 'year':
      return year;
    case 'month':
      return month;
    case 'day':
      return day;
    case 'date':
      return `${year}-${month}-${day}`;
    case 'julian':
      return String(Math.floor((t.ms + offset * MINUTE) / 86_400_000) + MJD_EPOCH);
    case 'hour':
      return p2(d.getUTCHours());
    case 'minute':
      return p2(d.getUTCMinutes());
    case 'second':
      return t.leap ? '60' : p2(d.getUTCSeconds());
    case 'time':
      return time;
    case 'iso8601': {
      // RFC 3339 §5.6 with upper-case T/Z and Z for a zero offset (§4.2).
      const z = offset === 0 ? 'Z' : `${formatZone(offset).slice(0, 3)}:${formatZone(offset).slice(3)}`;
      return `${year}-${month}-${day}T${time}${z}`;
    }
    case 'std11':
      return formatStd11(t.ms, offset, t.leap);
    case 'zone':
      return formatZone(offset);
    case 'weekday':
      return String(d.getUTCDay());
    default:
      return '';
  }
}

function checkDatePart(node: SieveNode, index: number, ctx: ValidationContext): void {
  const a = node.args[index];
  if (a?.kind === 'string' && !a.value.hasVars && !DATE_PARTS.includes(a.value.value.toLowerCase())) ctx.error(a, `unknown date-part "${a.value.value}"`);
}

function checkZone(node: SieveNode, ctx: ValidationContext): void {
  const a = node.tags.get('zone')?.args[0];
  if (a?.kind === 'string' && !a.value.hasVars && parseZone(a.value.value) === null) ctx.error(a, `invalid time zone "${a.value.value}" (expected +hhmm or -hhmm)`);
}

/** The offset to show a time in: :zone, :originalzone, or the host's zone. */
function zoneOf(rt: Runtime, node: SieveNode, original: number | null): number {
  const zt = node.tags.get('zone');
  if (zt !== undefined) {
    const z = parseZone(rt.str(zt.args[0]));
    if (z === null) return rt.error(zt, `invalid time zone "${rt.str(zt.args[0])}"`);
    return z;
  }
  if (original !== null && node.tags.has('originalzone')) return original;
  return rt.input.zoneOffsetMinutes;
}

function partOf(rt: Runtime, node: SieveNode, index: number): string {
  const part = rt.str(node.args[index]).toLowerCase();
  if (!DATE_PARTS.includes(part)) rt.error(node.args[index] ?? node, `unknown date-part "${part}"`);
  return part;
}

const ZONE_TAG: TagDef = { name: 'zone', group: 'zone', args: [{ kind: 'string', name: 'time zone' }] };

const dateTest: CommandDef = {
  name: 'date',
  kind: 'test',
  capability: 'date',
  positional: [
    { kind: 'string', name: 'header name' },
    { kind: 'string', name: 'date-part' },
    { kind: 'stringlist', name: 'key list' },
  ],
  tags: [ZONE_TAG, { name: 'originalzone', group: 'zone' }],
  groups: ['comparator', 'match-type'],
  validate: (node, ctx) => {
    const h = node.args[0];
    if (h?.kind === 'string' && !h.value.hasVars && !/^[!-9;-~]+$/.test(h.value.value)) ctx.error(h, `invalid header name "${h.value.value}"`);
    checkDatePart(node, 1, ctx);
    checkZone(node, ctx);
  },
  evaluate: async (node, rt) => {
    const part = partOf(rt, node, 1);
    const name = rt.str(node.args[0]);
    // §4: the first field unless :index picks another (§6).
    const fields = node.tags.has('index') ? selectIndexed(rt, node, rt.headers(name)) : rt.headers(name).slice(0, 1);
    const values: string[] = [];
    for (const f of fields) {
      const t = dateOfField(f);
      if (t !== null) values.push(datePart(t, zoneOf(rt, node, t.offset), part));
    }
    return rt.match(node, values, rt.strs(node.args[2]));
  },
};

const currentdateTest: CommandDef = {
  name: 'currentdate',
  kind: 'test',
  capability: 'date',
  positional: [
    { kind: 'string', name: 'date-part' },
    { kind: 'stringlist', name: 'key list' },
  ],
  tags: [ZONE_TAG],
  groups: ['comparator', 'match-type'],
  validate: (node, ctx) => {
    checkDatePart(node, 0, ctx);
    checkZone(node, ctx);
  },
  evaluate: async (node, rt) => {
    const part = partOf(rt, node, 0);
    const now: ZonedTime = { ms: rt.input.now.getTime(), offset: rt.input.zoneOffsetMinutes, leap: false };
    return rt.match(node, [datePart(now, zoneOf(rt, node, null), part)], rt.strs(node.args[1]));
  },
};

export const dateExtension: SieveExtension = {
  capabilities: ['date'],
  tests: [dateTest, currentdateTest],
};

// ---- index (§6) ----

/**
 * The fields a test considers under :index/:last (RFC 5260 §6), given every named field's value
 * in order; all of them when there is no :index. Used by header and address (core.ts) and date.
 */
export function selectIndexed<T>(rt: Runtime, node: SieveNode, fields: T[]): T[] {
  const tag = node.tags.get('index');
  if (tag === undefined) return fields;
  const n = rt.num(tag.args[0]);
  const i = node.tags.has('last') ? fields.length - n : n - 1;
  return i >= 0 && i < fields.length ? [fields[i]!] : [];
}

const INDEX_TAG: TagDef = {
  name: 'index',
  capability: 'index',
  args: [{ kind: 'number', name: 'field number' }],
  validate: (_node, tag, ctx) => {
    const a = tag.args[0];
    if (a?.kind === 'number' && a.value < 1) ctx.error(a, ':index counts from 1');
  },
};
const LAST_TAG: TagDef = {
  name: 'last',
  capability: 'index',
  validate: (node, tag, ctx) => {
    if (!node.tags.has('index')) ctx.error(tag, "':last' needs ':index' (RFC 5260 §6)");
  },
};

export const indexExtension: SieveExtension = {
  capabilities: ['index'],
  tags: ['header', 'address', 'date'].flatMap((target) => [
    { target, kind: 'test' as const, tag: INDEX_TAG },
    { target, kind: 'test' as const, tag: LAST_TAG },
  ]),
};
