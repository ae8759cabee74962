// Known vectors generated with independent tools (openssl passwd, mkpasswd from Debian's whois,
// the argon2 reference CLI, python hashlib), hard-coded here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPasswordHash, hashPassword, UnsupportedSchemeError, verifyPassword } from './passwords.js';
import { shaCryptString } from './schemes/crypt-sha.js';
import { md5CryptString } from './schemes/md5-crypt.js';
import { hashScrypt } from './schemes/scrypt.js';

const U = 'pässwörd';

const VECTORS: Array<[string, string]> = [
  // openssl passwd -6 / -5 / -1 -salt saltsalt secret
  ['{SHA512-CRYPT}$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1', 'secret'],
  ['{SHA256-CRYPT}$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA', 'secret'],
  ['{MD5-CRYPT}$1$saltsalt$9xy1btjgzLYfb7hivXtC//', 'secret'],
  ['{MD5}$1$saltsalt$9xy1btjgzLYfb7hivXtC//', 'secret'],
  // mkpasswd -m sha512crypt -R 5000 / -R 10000; sha256crypt -R 12345
  ['{SHA512-CRYPT}$6$rounds=5000$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1', 'secret'],
  ['{SHA512-CRYPT}$6$rounds=10000$saltsalt$WowrPBpEDVlCoruBosYlrZycTCx3//TyDHYqEhX9DUHHt0XTztUqzQDDUuvUGRA8aUe9p55hcAxeGcu58sm3u.', 'secret'],
  ['{SHA256-CRYPT}$5$rounds=12345$saltsalt$tLq5Yx6jEKDsHiD83OsuTVhJpqU2iygTiqZKJ3fWt23', 'secret'],
  ['{SHA256-CRYPT}$5$rounds=1000$saltsaltsaltsalt$/cwZOUMOB1S0lzM2BSRKMtNuiMJkKgWMBTtm6LDYVD4', U],
  ['{SHA512-CRYPT}$6$saltsaltsaltsalt$0OIGPDuiRPKNh88M0FmGG9U7BYCvo0nHRIKXtLm6h.s3IpT2dycI8djpM2Nhd7bEUCkEMhwvDfAYRqNrQ0Qc8/', U],
  // python3 crypt (libxcrypt)
  ['{SHA256-CRYPT}$5$x$yHbtfs4Y8t6X1xcJemNX.4JQRfUTafA2qQenWGLBee2', ''],
  ['{MD5-CRYPT}$1$ab$/DXVmnYuljDLC/Wfp3sv70', 'a'.repeat(80)],
  ['{MD5-CRYPT}$1$x1$G3fCCXi8Ya93W.hkGylDz/', U],
  // mkpasswd -m bcrypt / bcrypt-a
  ['{BLF-CRYPT}$2b$05$4/Df1XKEMhoz10D.eF62m.Zuj.B9OpOW1aGveP3Z0Yv6q82U3LWmi', 'secret'],
  ['{BLF-CRYPT}$2a$05$NdBhRkIOLMjmuowF0lop5OU8tZsDAWL9zLXUkZpMbBPWGlKg7Lo2S', 'secret'],
  ['{BLF-CRYPT}$2y$05$NdBhRkIOLMjmuowF0lop5OU8tZsDAWL9zLXUkZpMbBPWGlKg7Lo2S', 'secret'],
  ['{BLF-CRYPT}$2b$05$OTvrElMsdWW3zTKv8XZMAOM5pN14kXsEjTFethiQNxStzI/GDwenW', U],
  // argon2 reference CLI
  ['{ARGON2ID}$argon2id$v=19$m=4096,t=2,p=1$c29tZXNhbHRzYWx0$sEn/ACjRGd0PpV+ePykwrOQg2kBZ0K9LA8J3UleojG0', 'secret'],
  ['{ARGON2I}$argon2i$v=19$m=4096,t=2,p=1$c29tZXNhbHRzYWx0$KltVot7syL5B2BBhTdkEEPuLkzuhuWWjVLMj4hcP2UU', 'secret'],
  ['{ARGON2ID}$argon2id$v=19$m=1024,t=3,p=2$c2FsdHNhbHRzYWx0MTIzNA$AGmOqxK9wNZ0YrLMYX6dhf3uu9SLUoci5falil9MDes', U],
  // python hashlib
  ['{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', 'secret'],
  ['{SHA1}5en6G6MezRroT3XKqkdPOmY/BfQ=', 'secret'],
  ['{SHA.HEX}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4', 'secret'],
  ['{SSHA}MQGvGIPnfO+S6qOMi9KMdkw7KgYBAgMEc2FsdHNhbHQ=', 'secret'],
  ['{SHA256}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=', 'secret'],
  ['{SHA256.HEX}2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b', 'secret'],
  ['{SHA256}2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b', 'secret'],
  ['{SSHA256}/qsHThpk0BQUbYbo1JFp0rGv/Lu000BcnRd+WHZaPD4BAgMEc2FsdHNhbHQ=', 'secret'],
  ['{SSHA256.HEX}feab074e1a64d014146d86e8d49169d2b1affcbbb4d3405c9d177e58765a3c3e0102030473616c7473616c74', 'secret'],
  ['{SHA512}vSsar3708Jvp9Szi2NWZZ02Bqp1qRCFpbcTZPdBhnWgs5WtNZKnvCXdhztmeD2cmW192CF5bDufKRpayrW/isg==', 'secret'],
  ['{SSHA512}F4V7hodW5DYOdxES9e/PkWCerZI0zW8sDVzOHQgWtncTO1c3QD5NvZz0dvK1fy9Zmvm/3QxxDQk44WHDwg0wEQECAwRzYWx0c2FsdA==', 'secret'],
  ['{PBKDF2}$1$Sq8WgTMZx2D5Cd1s$5000$e9d02d4b6311d63179c99a5af522f8c381d9a391', 'secret'],
  ['{PBKDF2}$1$abcdefgh12345678$1000$edd2fc5c51c1a0e65dfa0369c6b012171813d0b4', U],
  ['{PLAIN}secret', 'secret'],
  ['{CLEARTEXT}secret', 'secret'],
  ['{PLAIN.B64}c2VjcmV0', 'secret'],
  ['{plain}secret', 'secret'],
  // {CRYPT} and prefix-less values dispatch on the crypt prefix
  ['{CRYPT}$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1', 'secret'],
  ['{CRYPT}$1$saltsalt$9xy1btjgzLYfb7hivXtC//', 'secret'],
  ['{CRYPT}$2y$05$NdBhRkIOLMjmuowF0lop5OU8tZsDAWL9zLXUkZpMbBPWGlKg7Lo2S', 'secret'],
  ['$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA', 'secret'],
];

for (const [encoded, password] of VECTORS) {
  test(`verifies ${encoded.slice(0, 40)}`, async () => {
    assert.equal(await verifyPassword(encoded, password), true);
    assert.equal(await verifyPassword(encoded, password + 'x'), false);
    assert.equal(await verifyPassword(encoded, 'Secret'), false);
    assert.doesNotThrow(() => checkPasswordHash(encoded));
  });
}

test('SHA-crypt and MD5-crypt reproduce the reference strings exactly', () => {
  assert.equal(
    shaCryptString('$6$rounds=10000$saltsalt', 'secret'),
    '$6$rounds=10000$saltsalt$WowrPBpEDVlCoruBosYlrZycTCx3//TyDHYqEhX9DUHHt0XTztUqzQDDUuvUGRA8aUe9p55hcAxeGcu58sm3u.',
  );
  // openssl passwd -6 -salt saltsaltsaltsaltEXTRA: salts are truncated to 16 characters
  assert.equal(
    shaCryptString('$6$saltsaltsaltsaltEXTRA', U),
    '$6$saltsaltsaltsalt$0OIGPDuiRPKNh88M0FmGG9U7BYCvo0nHRIKXtLm6h.s3IpT2dycI8djpM2Nhd7bEUCkEMhwvDfAYRqNrQ0Qc8/',
  );
  // openssl passwd -5 -salt 'rounds=1000$abc' secret; rounds below 1000 clamp to 1000
  assert.equal(shaCryptString('$5$rounds=1000$abc', 'secret'), '$5$rounds=1000$abc$Mz4DiYKTnNKbZLo/mIp3d8Y4aQBhv3uhSwxLDy55/Y8');
  assert.ok(shaCryptString('$5$rounds=10$abc', 'secret').startsWith('$5$rounds=1000$abc$Mz4DiYKTnNKbZLo'));
  assert.equal(md5CryptString('$1$saltsalt', 'secret'), '$1$saltsalt$9xy1btjgzLYfb7hivXtC//');
});

test('hashPassword produces a verifiable {SCRYPT} PHC string with a fresh salt', async () => {
  const a = await hashPassword('correct horse');
  const b = await hashPassword('correct horse');
  assert.match(a, /^\{SCRYPT\}\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword(a, 'correct horse'), true);
  assert.equal(await verifyPassword(a, 'correct horsf'), false);
  assert.equal(checkPasswordHash(a), 'SCRYPT');
});

test('scrypt reads its parameters from the stored value', async () => {
  const low = '{SCRYPT}' + (await hashScrypt(U, 10));
  assert.match(low, /ln=10,/);
  assert.equal(await verifyPassword(low, U), true);
});

test('unknown schemes and malformed values throw UnsupportedSchemeError', async () => {
  const bad = [
    '{NOPE}abc',
    '{CRYPT}abNANd1rDfiNc', // DES
    'abNANd1rDfiNc',
    '{CRYPT}$y$j9T$abc$def', // yescrypt
    '{SHA512-CRYPT}$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA',
    '{SHA256}not base64!',
    '{SHA256}K7gNU3sdo+OL0wNh',
    '{SSHA}AAAA',
    '{BLF-CRYPT}$2b$05$short',
    '{ARGON2I}$argon2id$v=19$m=4096,t=2,p=1$c29tZXNhbHRzYWx0$sEn/ACjRGd0PpV+ePykwrOQg2kBZ0K9LA8J3UleojG0',
    '{PBKDF2}$1$salt$abc$00',
    '{SCRYPT}$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D',
    '{SCRYPT}$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    '{SHA512-CRYPT.HEX}$6$x$y',
    '{SHA.XYZ}abc',
    '{broken',
  ];
  for (const encoded of bad) {
    assert.throws(() => checkPasswordHash(encoded), UnsupportedSchemeError, encoded);
    await assert.rejects(verifyPassword(encoded, 'secret'), UnsupportedSchemeError, encoded);
  }
  assert.throws(() => checkPasswordHash('{CRYPT}abNANd1rDfiNc'), /DES-based crypt is obsolete/);
});
