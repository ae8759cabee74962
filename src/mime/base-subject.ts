/**
 * Base subject extraction for SORT SUBJECT and THREAD (RFC 5256 §2.1), and the "is a reply or
 * forward" test the REFERENCES algorithm uses (RFC 5256 §3, REFERENCES preamble).
 *
 * Invariants:
 * - Pure: text in, text out; the input is the raw (unfolded) Subject value, encoded words kept.
 * - The result is the base subject as text (RFC 2047 words decoded, whitespace collapsed, no
 *   leading/trailing WSP); comparisons go through unicodeCasemapKey (RFC 5256 §7, RFC 5051).
 * - Steps follow the numbering of §2.1; "(fwd)" trailers, subj-refwd leaders and the
 *   "[fwd: ...]" wrapper make the message a reply or forward, subj-blobs do not.
 */
import { decodeEncodedWords } from './encoded-word.js';

export interface BaseSubject {
  /** The extracted base subject; "" when the subject is absent or reduces to nothing. */
  base: string;
  /** true when extraction removed a subj-refwd, a "(fwd)" trailer, or a subj-fwd-hdr/trl pair. */
  replyOrForward: boolean;
}

/** subj-trailer = "(fwd)" / WSP (§5 ABNF); WSP is a space after step 1. */
const TRAILER_FWD = /\(fwd\)$/i;
/**
 * subj-leader's refwd alternative: *subj-blob subj-refwd, where
 * subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":" and
 * subj-blob = "[" *BLOBCHAR "]" *WSP (BLOBCHAR: anything but "[" and "]").
 */
const LEADER_REFWD = /^(?:\[[^[\]]*\] *)*(?:re|fwd?) *(?:\[[^[\]]*\] *)?:/i;
const BLOB = /^\[[^[\]]*\] */;

/** RFC 5256 §2.1 base subject of a raw Subject value (null: no Subject field). */
export function extractBaseSubject(subject: string | null): BaseSubject {
  if (subject === null) return { base: '', replyOrForward: false };
  // (1) decode RFC 2047 words; tabs and continuations to space; runs of spaces to one space.
  let s = decodeEncodedWords(subject).replace(/\r\n|[\t\r\n]/g, ' ').replace(/ {2,}/g, ' ');
  let replyOrForward = false;
  for (;;) {
    // (2) remove trailing subj-trailers ("(fwd)" or WSP), repeatedly.
    for (;;) {
      if (s.endsWith(' ')) s = s.slice(0, -1);
      else if (TRAILER_FWD.test(s)) {
        s = s.slice(0, -5);
        replyOrForward = true;
      } else break;
    }
    // (5) repeat (3) and (4) until neither removes anything.
    for (;;) {
      const before = s;
      // (3) remove subj-leaders (WSP, or blobs followed by a subj-refwd), repeatedly.
      for (;;) {
        if (s.startsWith(' ')) {
          s = s.slice(1);
          continue;
        }
        const m = LEADER_REFWD.exec(s);
        if (m === null) break;
        s = s.slice(m[0].length);
        replyOrForward = true;
      }
      // (4) a leading subj-blob goes if a non-empty subj-base remains.
      const b = BLOB.exec(s);
      if (b !== null && /[^ ]/.test(s.slice(b[0].length))) s = s.slice(b[0].length);
      if (s === before) break;
    }
    // (6) "[fwd:" ... "]" wrapper: unwrap and start again at (2).
    if (s.length >= 6 && s.slice(0, 5).toLowerCase() === '[fwd:' && s.endsWith(']')) {
      s = s.slice(5, -1);
      replyOrForward = true;
      continue;
    }
    return { base: s, replyOrForward };
  }
}
