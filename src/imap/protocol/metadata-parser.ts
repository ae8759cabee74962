/**
 * Arguments of GETMETADATA and SETMETADATA (RFC 5464 §5) and of the LIST return option
 * METADATA (RFC 9590).
 *
 * Invariants:
 * - Only the grammar is checked here: an entry is any astring, and whether it is a valid entry
 *   name (RFC 5464 §3.2) is the handler's question (it answers BAD), since the rules are the
 *   storage model's (store/metadata.ts) and protocol/ imports nothing of the store.
 * - GETMETADATA options are accepted before the mailbox (the §5 ABNF) and after it (the §4.2
 *   examples, which clients follow); a list after the mailbox is options when it starts with a
 *   letter (tagged-ext-label), entries otherwise (an entry starts with "/").
 * - MAXSIZE and DEPTH at most once each; any other option is BAD. At most MAX_METADATA_ENTRIES
 *   entries per command.
 * - Values are octets: nstring, or literal8 for binary data (§5 value = nstring / literal8).
 */
import { MAX_METADATA_ENTRIES } from '../../wire/limits.js';
import type { Command, MetadataDepth } from './ast.js';
import type { Reader } from './reader.js';

/** entry = astring (RFC 5464 §5), decoded as UTF-8 (names are ASCII; the handler checks). */
function readEntry(r: Reader): string {
  return r.astring('entry name');
}

/** entries = entry / "(" entry *(SP entry) ")" */
export function readEntries(r: Reader): string[] {
  const entries = r.peekChar('(') ? r.list(() => readEntry(r), 'entries') : [readEntry(r)];
  if (entries.length > MAX_METADATA_ENTRIES) r.fail('Too many entries');
  return entries;
}

interface GetOptions {
  maxSize: number | null;
  depth: MetadataDepth | null;
}

/** getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")" */
function readOptions(r: Reader, into: GetOptions): void {
  r.list(() => {
    const label = r.atom('GETMETADATA option').toUpperCase();
    r.sp(label);
    if (label === 'MAXSIZE') {
      if (into.maxSize !== null) r.fail('MAXSIZE given twice');
      into.maxSize = r.number('MAXSIZE');
    } else if (label === 'DEPTH') {
      if (into.depth !== null) r.fail('DEPTH given twice');
      const d = r.atom('DEPTH').toLowerCase();
      if (d !== '0' && d !== '1' && d !== 'infinity') r.fail('DEPTH is 0, 1 or infinity');
      into.depth = d;
    } else {
      r.fail(`Unknown GETMETADATA option ${label}`);
    }
  }, 'GETMETADATA options');
}

/** A "(" that opens options rather than entries: the first item is a tagged-ext-label. */
function optionsFollow(r: Reader): boolean {
  const c = r.peek(1);
  return r.peekChar('(') && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
}

/** "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries (options also after the mailbox). */
export function parseGetMetadata(r: Reader): Command {
  r.sp('GETMETADATA');
  const opts: GetOptions = { maxSize: null, depth: null };
  let before = false;
  if (optionsFollow(r)) {
    readOptions(r, opts);
    before = true;
    r.sp('options');
  }
  const mailbox = r.mailbox();
  r.sp('mailbox');
  if (!before && optionsFollow(r)) {
    readOptions(r, opts);
    r.sp('options');
  }
  const entries = readEntries(r);
  r.end();
  return { name: 'GETMETADATA', mailbox, entries, maxSize: opts.maxSize, depth: opts.depth ?? '0' };
}

/** "SETMETADATA" SP mailbox SP "(" entry SP value *(SP entry SP value) ")" */
export function parseSetMetadata(r: Reader): Command {
  r.sp('SETMETADATA');
  const mailbox = r.mailbox();
  r.sp('mailbox');
  const values = r.list(() => {
    const entry = readEntry(r);
    r.sp('entry');
    return { entry, value: readValue(r) };
  }, 'entry values');
  if (values.length > MAX_METADATA_ENTRIES) r.fail('Too many entries');
  r.end();
  return { name: 'SETMETADATA', mailbox, values };
}

/** value = nstring / literal8 (RFC 5464 §5; literal8 from RFC 3516 "~{n}"). */
function readValue(r: Reader): Buffer | null {
  if (r.peekWord('NIL')) {
    r.pos += 3;
    return null;
  }
  if (r.isLiteralStart()) return Buffer.from(r.literal(true).data);
  return Buffer.from(r.stringBytes('value'));
}

/** RFC 9590: the LIST return option's argument, "METADATA" SP "(" entry *(SP entry) ")". */
export function readListMetadataOption(r: Reader): string[] {
  r.sp('METADATA');
  const entries = r.list(() => readEntry(r), 'METADATA entries');
  if (entries.length > MAX_METADATA_ENTRIES) r.fail('Too many entries');
  return entries;
}
