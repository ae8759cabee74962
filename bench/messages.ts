/**
 * Deterministic, realistic-looking test messages: Received chain, the usual RFC 5322 headers, a
 * text/plain body of ordinary words wrapped at ~72 columns. Every message is unique (Message-ID,
 * Received id), so a content-addressed blob store cannot deduplicate them.
 *
 * The word list contains neither "needle" nor "someone", so the SEARCH phase knows exactly which
 * messages match.
 */

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to in is it you that he was for on are with as his they be at one have this from or had by ' +
  'word but what some we can out other were all there when up use your how said an each she which do their time ' +
  'if will way about many then them write would like so these her long make thing see him two has look more day ' +
  'could go come did number sound no most people my over know water than call first who may down side been now ' +
  'find any new work part take get place made live where after back little only round man year came show every ' +
  'good me give our under name very through just form sentence great think say help low line differ turn cause ' +
  'much mean before move right boy old too same tell does set three want air well also play small end put home ' +
  'read hand port large spell add even land here must big high such follow act why ask men change went light ' +
  'kind off need house picture try us again animal point mother world near build self earth father head stand ' +
  'own page should country found answer school grow study still learn plant cover food sun four between state ' +
  'keep eye never last let thought city tree cross farm hard start might story saw far sea draw left late run ' +
  'meeting invoice report quarter budget release schedule review deadline project customer server backup ' +
  'attached please regards thanks tomorrow monday friday agenda minutes proposal contract delivery'
).split(' ');

const FIRST = ['Alice', 'Bob', 'Carol', 'David', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Yvonne'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel', 'Garcia'];
const DOMAINS = ['example.org', 'example.net', 'mail.example.com', 'lists.example.org', 'corp.example'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The sender the FROM search looks for. */
export const SOMEONE = '"Someone Else" <someone@example.net>';

const p2 = (n: number): string => String(n).padStart(2, '0');

/** RFC 5322 date-time in UTC. */
export function rfc5322Date(d: Date): string {
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

/** IMAP date-time for APPEND, e.g. "05-Mar-2021 10:11:12 +0000" (quoted). */
export function imapDateTime(d: Date): string {
  return `"${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000"`;
}

export interface MessageSpec {
  /** Unique per message within a run. */
  id: number;
  /** Approximate total size in bytes. */
  size: number;
  date: Date;
  /** From header; a random person when absent. */
  from?: string;
  /** Put the word "needle" in the body. */
  needle?: boolean;
}

function pick<T>(r: () => number, a: readonly T[]): T {
  return a[Math.floor(r() * a.length)];
}

function sentence(r: () => number): string {
  const n = 6 + Math.floor(r() * 12);
  const w: string[] = [];
  for (let i = 0; i < n; i++) w.push(pick(r, WORDS));
  const s = w.join(' ');
  return s[0].toUpperCase() + s.slice(1) + (r() < 0.15 ? '?' : '.');
}

function person(r: () => number): string {
  const f = pick(r, FIRST);
  const l = pick(r, LAST);
  return `"${f} ${l}" <${f.toLowerCase()}.${l.toLowerCase()}@${pick(r, DOMAINS)}>`;
}

export function makeMessage(spec: MessageSpec): Buffer {
  const r = rng(spec.id * 2654435761);
  const date = rfc5322Date(spec.date);
  const from = spec.from ?? person(r);
  const hex = (n: number): string => Math.floor(r() * 16 ** n).toString(16).padStart(n, '0');
  const subjectWords: string[] = [];
  for (let i = 0, n = 3 + Math.floor(r() * 6); i < n; i++) subjectWords.push(pick(r, WORDS));
  const headers = [
    `Return-Path: <bounce-${spec.id}@${pick(r, DOMAINS)}>`,
    `Received: from mx${1 + Math.floor(r() * 9)}.example.org (mx.example.org [192.0.2.${1 + Math.floor(r() * 250)}])`,
    `\tby mail.example.com (Postfix) with ESMTPS id ${hex(10).toUpperCase()}`,
    `\tfor <bench@example.com>; ${date}`,
    `Received: from [10.0.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}] (unknown [198.51.100.${Math.floor(r() * 255)}])`,
    `\tby mx.example.org with ESMTPSA id ${hex(12)}; ${date}`,
    `Date: ${date}`,
    `From: ${from}`,
    `To: "Bench User" <bench@example.com>`,
    ...(r() < 0.3 ? [`Cc: ${person(r)}, ${person(r)}`] : []),
    `Subject: ${r() < 0.3 ? 'Re: ' : ''}${subjectWords.join(' ')} #${spec.id}`,
    `Message-ID: <${spec.id}.${hex(8)}@bench.example.org>`,
    `MIME-Version: 1.0`,
    `Content-Type: text/plain; charset=utf-8; format=flowed`,
    `Content-Transfer-Encoding: 7bit`,
    `X-Mailer: Facteur-Bench 1.0`,
  ];
  const head = headers.join('\r\n') + '\r\n\r\n';
  const budget = Math.max(200, spec.size - head.length);
  const lines: string[] = [];
  let used = 0;
  let line = '';
  let needleAt = spec.needle ? Math.floor(budget / 2) : -1;
  while (used + line.length < budget) {
    let s = sentence(r);
    if (needleAt >= 0 && used >= needleAt) {
      s = `Found the needle in the haystack. ${s}`;
      needleAt = -1;
    }
    for (const w of s.split(' ')) {
      if (line.length + w.length + 1 > 72) {
        lines.push(line);
        used += line.length + 2;
        line = '';
      }
      line = line ? `${line} ${w}` : w;
    }
    if (r() < 0.12) {
      lines.push(line, '');
      used += line.length + 4;
      line = '';
    }
  }
  if (line) lines.push(line);
  if (needleAt >= 0) lines.push('Found the needle in the haystack.');
  return Buffer.from(head + lines.join('\r\n') + '\r\n', 'utf8');
}
