/**
 * Parser test helpers shared by the protocol tests: parse one command line (IMAP4rev1 strings,
 * no UTF8=ACCEPT), or assert that the parser refuses it.
 */
import assert from 'node:assert/strict';
import type { Command } from './ast.js';
import { ImapParseError } from './errors.js';
import { parseCommand } from './parser.js';

export const parse = (line: string | Buffer): Command => parseCommand(typeof line === 'string' ? Buffer.from(line, 'utf8') : line, { utf8Accept: false }).command;

/**
 * Asserts that `line` is refused with an ImapParseError, whose message matches `message` and
 * whose tag is `tag` (null: no tag could be read) when those are given.
 */
export function refused(line: string, expect: { message?: RegExp; tag?: string | null } = {}): void {
  assert.throws(
    () => parse(line),
    (err: unknown) => {
      assert.ok(err instanceof ImapParseError, `not ImapParseError: ${String(err)}`);
      if (expect.tag !== undefined) assert.equal(err.tag, expect.tag);
      if (expect.message) assert.match(err.message, expect.message);
      return true;
    },
    line,
  );
}
