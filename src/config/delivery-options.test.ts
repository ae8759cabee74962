import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, parseHostPort } from './index.js';

test('delivery options: defaults, choices, relay syntax, vacation bounds, patterns', async () => {
  const d = await loadConfig([], {});
  assert.deepEqual([d.lmtpPort, d.lmtpSocket, d.recipientDomain, d.recipientDelimiter, d.smtpRelay], [24, null, 'strip', '+', null]);
  const c = await loadConfig(['--lmtp-port', '2424', '--recipient-domain', 'KEEP', '--smtp-relay', '[::1]:25', '--spamtest-header', 'X-Spam-Score'], { FACTEUR_LMTP_SOCKET: '/run/facteur/lmtp' });
  assert.deepEqual([c.lmtpPort, c.recipientDomain, c.smtpRelay, c.spamtestHeader, c.lmtpSocket], [2424, 'keep', '[::1]:25', 'X-Spam-Score', '/run/facteur/lmtp']);
  const bad: Array<[string[], RegExp]> = [
    [['--recipient-domain', 'drop'], /^--recipient-domain: expected one of strip, keep, got 'drop'$/],
    [['--smtp-relay', 'localhost'], /^--smtp-relay: expected HOST:PORT/],
    [['--smtp-relay', 'h:0'], /^--smtp-relay: expected HOST:PORT/],
    [['--vacation-min-period', '100', '--vacation-max-period', '50'], /--vacation-min-period \(100\) is above --vacation-max-period \(50\)/],
    [['--spamtest-pattern', '(['], /--spamtest-pattern: not a valid regular expression/],
    [['--max-message-size', '0'], /--max-message-size: expected a positive whole number/],
  ];
  for (const [args, re] of bad) await assert.rejects(loadConfig(args, {}), (e: unknown) => e instanceof ConfigError && re.test(e.message), args.join(' '));
  assert.deepEqual(parseHostPort('mail.example.com:587'), { host: 'mail.example.com', port: 587 });
  assert.deepEqual(parseHostPort('[2001:db8::1]:25'), { host: '2001:db8::1', port: 25 });
  assert.equal(parseHostPort('2001:db8::1:25'), null);
});
