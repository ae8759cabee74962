import { test } from 'node:test';
import assert from 'node:assert/strict';
import { message, run, summary } from '../test-support.js';

test('subaddress (RFC 5233): :user and :detail on addresses and envelope', async () => {
  const yes = async (t: string, m?: Buffer): Promise<boolean> =>
    summary(await run(`require ["subaddress", "envelope"]; if ${t} { discard; }`, m ? { message: m } : {}))[0] === 'discard';
  assert.equal(await yes('envelope :detail "to" "lists"'), true);
  assert.equal(await yes('envelope :user "to" "alice"'), true);
  assert.equal(await yes('address :user "to" "bob"'), true);
  assert.equal(await yes('address :detail :matches "to" "*"'), true, 'alice+lists has a detail');
  const m = message('To: ken@example.com, ken+@example.com');
  assert.equal(await yes('address :detail :is "to" ""', m), true, 'ken+ has an empty detail');
  assert.equal(await yes('address :detail :matches "to" "*"', message('To: ken@example.com')), false, 'no separator: no detail');
  assert.equal(await yes('address :user "to" "ken"', message('To: ken+a+b@example.com')), true);
  assert.equal(await yes('address :detail "to" "a+b"', message('To: ken+a+b@example.com')), true);
});

test('subaddress: the host sets the separators (SieveInput.subaddressDelimiters); the first one found separates', async () => {
  const yes = async (t: string, to: string, delimiters?: string): Promise<boolean> =>
    summary(
      await run(`require "subaddress"; if ${t} { discard; }`, {
        message: message(`To: ${to}`),
        ...(delimiters !== undefined ? { subaddressDelimiters: delimiters } : {}),
      }),
    )[0] === 'discard';
  assert.equal(await yes('address :detail "to" "news"', 'ken-news@example.com', '-'), true);
  assert.equal(await yes('address :detail "to" "news"', 'ken-news@example.com'), false, "'+' only by default");
  assert.equal(await yes('address :user "to" "ken"', 'ken-a+b@example.com', '+-'), true);
  assert.equal(await yes('address :detail "to" "a+b"', 'ken-a+b@example.com', '+-'), true);
});
