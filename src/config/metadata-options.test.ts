import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './index.js';

test('--metadata-admin: a URI (RFC 5464 §3.2.1.1), from flag or environment; anything else is refused', async () => {
  assert.equal((await loadConfig(['--metadata-admin', 'mailto:postmaster@example.com'], {})).metadataAdmin, 'mailto:postmaster@example.com');
  assert.equal((await loadConfig([], { FACTEUR_METADATA_ADMIN: 'tel:+33-1-23-45-67-89' })).metadataAdmin, 'tel:+33-1-23-45-67-89');
  assert.equal((await loadConfig([], {})).metadataAdmin, null);
  for (const bad of ['postmaster@example.com', 'mailto:', 'mailto:a b', '1http://x']) {
    await assert.rejects(loadConfig(['--metadata-admin', bad], {}), ConfigError, bad);
  }
});
