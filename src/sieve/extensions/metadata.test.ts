import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../index.js';
import { errorsOf, host, run, summary } from '../test-support.js';

function annotated() {
  const h = host(['INBOX', 'Lists']);
  h.annotations.set('INBOX /private/vendor/vendor.isode/auto-replies', 'on');
  h.annotations.set('Lists /shared/comment', 'Mailing lists');
  h.annotations.set(' /private/vendor/vendor.isode/notification-uri', 'mailto:me@example.org');
  h.annotations.set(' /shared/admin', 'mailto:postmaster@example.org');
  return h;
}

test('mboxmetadata (RFC 5490 §3.3): metadata matches a mailbox annotation; default :is, i;ascii-casemap', async () => {
  const h = annotated();
  const ok = `require ["mboxmetadata", "fileinto"];
    if metadata "INBOX" "/private/vendor/vendor.isode/auto-replies" "ON" { fileinto "Lists"; }
    if metadata :contains "Lists" "/shared/comment" "lists" { fileinto "INBOX"; }
    if metadata :matches "Nope" "/shared/comment" "*" { discard; }
    if metadata :matches "INBOX" "/shared/missing" "*" { discard; }`;
  assert.deepEqual(summary(await run(ok, {}, { host: h })), ['fileinto Lists', 'fileinto INBOX']);
  assert.ok(h.calls.includes('metadata INBOX /private/vendor/vendor.isode/auto-replies'));
});

test('metadataexists (§3.4) is true only when every named annotation exists', async () => {
  const h = annotated();
  const src = `require ["mboxmetadata"];
    if metadataexists "INBOX" ["/private/vendor/vendor.isode/auto-replies"] { keep; }
    if metadataexists "INBOX" ["/private/vendor/vendor.isode/auto-replies", "/private/other"] { discard; }
    if metadataexists "Nope" "/shared/comment" { discard; }`;
  assert.deepEqual(summary(await run(src, {}, { host: h })), ['keep']);
});

test('servermetadata (§4.1) with :matches sets match variables; servermetadataexists (§4.2)', async () => {
  const h = annotated();
  const src = `require ["servermetadata", "variables", "fileinto"];
    if servermetadata :matches "/private/vendor/vendor.isode/notification-uri" "mailto:*" { set "who" "\${1}"; }
    if string :is "\${who}" "me@example.org" { fileinto "Lists"; }
    if servermetadataexists ["/shared/admin", "/private/vendor/vendor.isode/notification-uri"] { keep; }
    if servermetadataexists "/shared/comment" { discard; }
    if servermetadata :count "eq" :comparator "i;ascii-numeric" "/shared/nothing" "0" { discard; }`;
  const c = compile(src.replace('"fileinto"]', '"fileinto", "relational", "comparator-i;ascii-numeric"]'));
  assert.ok(c.ok, JSON.stringify(!c.ok && c.errors));
  assert.deepEqual(summary(await run(src.replace('"fileinto"]', '"fileinto", "relational", "comparator-i;ascii-numeric"]'), {}, { host: h })), ['fileinto Lists', 'keep']);
});

test('each test needs its own require; a host without METADATA makes every test false', async () => {
  assert.match(errorsOf('if metadata "INBOX" "/shared/comment" "x" { keep; }').join(), /mboxmetadata/);
  assert.match(errorsOf('require "mboxmetadata"; if servermetadata "/shared/comment" "x" { keep; }').join(), /servermetadata/);
  assert.match(errorsOf('require "servermetadata"; if metadataexists "INBOX" "/shared/comment" { keep; }').join(), /mboxmetadata/);
  assert.notDeepEqual(errorsOf('require "mboxmetadata"; if metadata "INBOX" "/shared/comment" { keep; }'), []);
  const bare = host();
  delete (bare as { metadata?: unknown }).metadata;
  const src = 'require ["mboxmetadata", "servermetadata"]; if anyof (metadataexists "INBOX" "/shared/x", servermetadata :matches "/shared/admin" "*") { discard; }';
  assert.deepEqual(summary(await run(src, {}, { host: bare })), ['implicit-keep']);
});

test('a host failure while reading an annotation rejects the execution (RFC 5490 §5)', async () => {
  const h = host();
  h.metadata = async () => {
    throw new Error('database down');
  };
  await assert.rejects(run('require "servermetadata"; if servermetadataexists "/shared/admin" { keep; }', {}, { host: h }), /database down/);
});
