/**
 * The storage contract: ONE suite of MailStore semantics that every backend must pass
 * (DESIGN "How we test" 5). Backend-agnostic: it speaks only the MailStore interface.
 *
 * Invariants:
 * - Each test gets a fresh store from `open` and cleans it up, so tests are independent.
 * - Assertions follow the doc comments of src/store/types.ts and the RFCs they cite; nothing
 *   here depends on how a backend stores data.
 */
import { describe } from 'node:test';
import { accountContract } from './accounts.js';
import type { OpenStore } from './harness.js';
import { mailboxContract } from './mailboxes.js';
import { messageContract } from './messages.js';
import { sieveContract } from './sieve.js';
import { transferContract } from './transfer.js';
import { objectIdContract } from './objectid.js';
import { urlAuthKeyContract } from './urlauth-keys.js';
import { aclContract } from './acl.js';
import { metadataContract } from './metadata.js';
import { quotaContract } from './quota.js';
import { seenMarksContract } from './seen-marks.js';

export type { OpenStore, StoreHarness } from './harness.js';

export function runStoreContract(label: string, open: OpenStore): void {
  describe(`MailStore contract: ${label}`, () => {
    describe('accounts', () => accountContract(open));
    describe('mailboxes and subscriptions', () => mailboxContract(open));
    describe('messages, flags and changes', () => messageContract(open));
    describe('copy, move, expunge, events, persistence', () => transferContract(open));
    describe('sieve scripts and delivery marks', () => sieveContract(open));
    describe('object ids (RFC 8474)', () => objectIdContract(open));
    describe('URLAUTH mailbox access keys', () => urlAuthKeyContract(open));
    describe('access control lists (RFC 4314 rows)', () => aclContract(open));
    describe('METADATA entries (RFC 5464)', () => metadataContract(open));
    describe('quota usage and settings (RFC 9208)', () => quotaContract(open));
    describe('seen marks (private \\Seen, decision 0019)', () => seenMarksContract(open));
  });
}
