import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ensureTlsMaterial } from './index.js';

test('generates a self-signed certificate once, then reuses it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facteur-tls-'));
  try {
    const first = await ensureTlsMaterial({ dataDir: dir, tlsCert: null, tlsKey: null });
    assert.equal(first.generated, true);
    assert.match(first.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const x = new X509Certificate(first.cert);
    assert.match(x.subjectAltName ?? '', /DNS:localhost/);
    assert.match(x.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.ok(new Date(x.validTo).getTime() - Date.now() > 9 * 365 * 24 * 3600 * 1000);
    assert.ok(x.checkPrivateKey(createPrivateKey(first.key)));
    assert.equal((await stat(join(dir, 'tls', 'key.pem'))).mode & 0o777, 0o600);
    const again = await ensureTlsMaterial({ dataDir: dir, tlsCert: null, tlsKey: null });
    assert.equal(again.generated, false);
    assert.equal(again.fingerprint, first.fingerprint);

    const certFile = join(dir, 'tls', 'cert.pem');
    const given = await ensureTlsMaterial({ dataDir: '/unused', tlsCert: certFile, tlsKey: join(dir, 'tls', 'key.pem') });
    assert.equal(given.fingerprint, first.fingerprint);
    await assert.rejects(
      ensureTlsMaterial({ dataDir: dir, tlsCert: certFile, tlsKey: join(dir, 'nokey.pem') }),
      (e: unknown) => e instanceof ConfigError && /cannot read TLS key .*nokey\.pem \(ENOENT\)/.test(e.message),
    );
    await writeFile(join(dir, 'junk.pem'), 'not a cert');
    await assert.rejects(ensureTlsMaterial({ dataDir: dir, tlsCert: join(dir, 'junk.pem'), tlsKey: certFile }), /is not a PEM certificate/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
