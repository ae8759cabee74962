/**
 * The TLS certificate and key for the listeners.
 *
 * Invariants:
 * - --tls-cert/--tls-key given: both files are read; an unreadable one is named in the error.
 * - Otherwise <dataDir>/tls/cert.pem and key.pem are used, generated on first start as a
 *   self-signed certificate (EC P-256, SHA-256, CN = hostname, SAN = localhost, the hostname,
 *   127.0.0.1 and ::1, valid 10 years). The key file is written with mode 0600, and files are
 *   written to temporaries then renamed, so a crash never leaves half a pair.
 * - fingerprint = SHA-256 of the DER certificate as colon-separated upper-case hex, as
 *   `openssl x509 -fingerprint -sha256` prints it (for the log line clients can compare).
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { Config } from './options.js';
import { ConfigError } from './load.js';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  fingerprint: string;
  generated: boolean;
}

const TEN_YEARS_MS = 10 * 365.25 * 24 * 3600 * 1000;

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`cannot read TLS ${what} ${file} (${code})`);
  }
}

function fingerprintOf(certPem: Buffer, file: string): string {
  try {
    return new X509Certificate(certPem).fingerprint256;
  } catch {
    throw new ConfigError(`TLS certificate ${file} is not a PEM certificate`);
  }
}

async function generateSelfSigned(): Promise<{ cert: string; key: string }> {
  const host = hostname() || 'localhost';
  const now = new Date();
  const altNames = [
    { type: 2 as const, value: 'localhost' },
    ...(host !== 'localhost' ? [{ type: 2 as const, value: host }] : []),
    { type: 7 as const, ip: '127.0.0.1' },
    { type: 7 as const, ip: '::1' },
  ];
  const pems = await generate([{ name: 'commonName', value: host }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + TEN_YEARS_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export async function ensureTlsMaterial(
  config: Pick<Config, 'dataDir' | 'tlsCert' | 'tlsKey'>,
): Promise<TlsMaterial> {
  if (config.tlsCert !== null || config.tlsKey !== null) {
    if (config.tlsCert === null || config.tlsKey === null) throw new ConfigError('--tls-cert and --tls-key must be given together');
    const cert = await readPem(config.tlsCert, 'certificate');
    const key = await readPem(config.tlsKey, 'key');
    return { cert, key, fingerprint: fingerprintOf(cert, config.tlsCert), generated: false };
  }
  const dir = join(config.dataDir, 'tls');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    return { cert, key, fingerprint: fingerprintOf(cert, certFile), generated: false };
  } catch (e) {
    if (e instanceof ConfigError || (e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw e instanceof ConfigError ? e : new ConfigError(`cannot read ${dir}/ (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const pems = await generateSelfSigned();
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(keyFile + '.tmp', pems.key, { mode: 0o600 });
    await writeFile(certFile + '.tmp', pems.cert, { mode: 0o644 });
    await rename(keyFile + '.tmp', keyFile);
    await rename(certFile + '.tmp', certFile);
  } catch (e) {
    throw new ConfigError(`cannot write the generated TLS certificate to ${dir}/ (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const cert = Buffer.from(pems.cert);
  return { cert, key: Buffer.from(pems.key), fingerprint: fingerprintOf(cert, certFile), generated: true };
}
