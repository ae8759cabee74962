/**
 * Graceful shutdown (SIGTERM path: server close()): sessions between commands and sessions in
 * IDLE are told "* BYE" and closed; the listener stops accepting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestServer, USER, PASS } from '../support/server.js';
import { TestClient } from '../support/client.js';

test('close() says BYE to idle and IDLEing sessions, then refuses new connections', async () => {
  const srv = await startTestServer();
  const quiet = await TestClient.connect(srv.port);
  await quiet.login(USER, PASS);
  const idler = await TestClient.connect(srv.port);
  await idler.login(USER, PASS);
  await idler.command('SELECT INBOX');
  idler.write('I1 IDLE\r\n');
  assert.match(await idler.readLine(), /^\+ /);

  await srv.stop();
  assert.equal(await quiet.readLine(), '* BYE Server shutting down');
  assert.equal(await idler.readLine(), '* BYE Server shutting down');
  const refused = await new Promise<boolean>((resolve) => {
    const s = connect({ port: srv.port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
  assert.ok(refused, 'listener still accepting after close()');
  quiet.close();
  idler.close();
});
