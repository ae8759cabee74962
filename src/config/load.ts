/**
 * Loads the Config from flags, FACTEUR_* environment variables, a TOML file and defaults
 * (in that order of precedence), validating every value.
 *
 * Invariants:
 * - Every error is a ConfigError whose message names the option as the user wrote it
 *   ("--imap-port", "FACTEUR_IMAP_PORT", "imap_port in /etc/facteur.toml") and the problem.
 * - Unknown flags and unknown TOML keys are errors (typos must not be silently ignored).
 * - An empty environment variable counts as unset.
 * - Relative paths from the TOML file are resolved against the file's directory; paths from
 *   flags and the environment are kept as given (relative to the working directory).
 * - "--" ends the flags; later arguments are positionals.
 * - --workers auto is resolved here, to the CPUs this process may use (at most MAX_WORKERS), so
 *   Config.workers is always a number.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { DEFAULT_CONFIG, LOG_LEVEL_NAMES, MAX_DAYS, MAX_WORKERS, OPTIONS, type Config, type ConfigLogLevel, type OptionSpec } from './options.js';
import { parseSize } from './size.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG';
}

type Raw = string | number | boolean;
type Value = Config[keyof Config];

interface Sourced {
  raw: Raw;
  /** How the user named the option, for messages. */
  label: string;
  /** Directory relative paths resolve against (TOML only). */
  baseDir?: string;
}

const BY_FLAG = new Map(OPTIONS.map((o) => [o.flag, o]));
const CONFIG_FILE_SPEC: OptionSpec = BY_FLAG.get('--config') as OptionSpec;

function parseArgs(argv: readonly string[]): { flags: Map<keyof Config, Sourced>; positionals: string[] } {
  const flags = new Map<keyof Config, Sourced>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const spec = BY_FLAG.get(name);
    if (spec === undefined) throw new ConfigError(`unknown option '${name}' (see --help)`);
    let raw: Raw;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else if (spec.type === 'boolean') raw = true;
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new ConfigError(`${name}: expected a value (${name} ${spec.valueName})`);
      }
      raw = next;
      i++;
    }
    flags.set(spec.key, { raw, label: name });
  }
  return { flags, positionals };
}

function convert(spec: OptionSpec, s: Sourced): Value {
  const { raw, label } = s;
  const got = typeof raw === 'string' ? `'${raw}'` : String(raw);
  switch (spec.type) {
    case 'path':
    case 'string': {
      if (typeof raw !== 'string') throw new ConfigError(`${label}: expected a string, got ${got}`);
      if (raw === '') throw new ConfigError(`${label}: must not be empty`);
      return spec.type === 'path' && s.baseDir !== undefined ? resolve(s.baseDir, raw) : raw;
    }
    case 'port': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]{1,5}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${label}: expected a port number 0-65535, got ${got}`);
      return n;
    }
    case 'count': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${label}: expected a positive whole number, got ${got}`);
      return n;
    }
    case 'limit': {
      // 0 = unlimited.
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]{1,12}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${label}: expected a whole number (0 = unlimited), got ${got}`);
      return n;
    }
    case 'size': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? (parseSize(raw) ?? NaN) : NaN;
      if (!Number.isSafeInteger(n) || n < 0) {
        throw new ConfigError(`${label}: expected a size in octets, or with K, M, G or T (0 = unlimited), got ${got}`);
      }
      return n;
    }
    case 'days': {
      // 0 = keep forever; the cap (100 years) only catches typos, and keeps the ms cutoff exact.
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]{1,5}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < 0 || n > MAX_DAYS) throw new ConfigError(`${label}: expected a number of days 0-${MAX_DAYS}, got ${got}`);
      return n;
    }
    case 'workers': {
      if (typeof raw === 'string' && raw.toLowerCase() === 'auto') return Math.min(MAX_WORKERS, availableParallelism());
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
        throw new ConfigError(`${label}: expected a number of worker processes 1-${MAX_WORKERS} or 'auto', got ${got}`);
      }
      return n;
    }
    case 'store': {
      if (typeof raw !== 'string') throw new ConfigError(`${label}: expected a string, got ${got}`);
      if (raw.toLowerCase() === 'sqlite') return 'sqlite';
      let url: URL | null = null;
      try {
        url = new URL(raw);
      } catch {
        url = null;
      }
      if (url === null || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || url.hostname === '') {
        throw new ConfigError(`${label}: expected sqlite or a postgres://host/database URL`);
      }
      return raw;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const v = typeof raw === 'string' ? raw.toLowerCase() : '';
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`${label}: expected true or false, got ${got}`);
    }
    case 'choice': {
      const v = typeof raw === 'string' ? raw.toLowerCase() : '';
      const choices = spec.choices ?? [];
      if (!choices.includes(v)) throw new ConfigError(`${label}: expected one of ${choices.join(', ')}, got ${got}`);
      return v;
    }
    case 'level': {
      const v = typeof raw === 'string' ? raw.toLowerCase() : '';
      if (!(LOG_LEVEL_NAMES as readonly string[]).includes(v)) {
        throw new ConfigError(`${label}: expected one of ${LOG_LEVEL_NAMES.join(', ')}, got ${got}`);
      }
      return v as ConfigLogLevel;
    }
  }
}

async function readTomlFile(file: string, label: string): Promise<Map<keyof Config, Sourced>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`${label}: cannot read ${file} (${code})`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text);
  } catch (e) {
    throw new ConfigError(`${file}: invalid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
  const byToml = new Map(OPTIONS.filter((o) => o.toml !== null).map((o) => [o.toml, o]));
  const out = new Map<keyof Config, Sourced>();
  const baseDir = dirname(resolve(file));
  for (const [k, v] of Object.entries(doc)) {
    const spec = byToml.get(k);
    if (spec === undefined) throw new ConfigError(`${file}: unknown key '${k}' (known: ${[...byToml.keys()].join(', ')})`);
    const want =
      spec.type === 'boolean' ? 'boolean' : spec.type === 'port' || spec.type === 'count' || spec.type === 'days' || spec.type === 'limit' ? 'number' : 'string';
    // workers = 4 or workers = "auto", quota_storage = 1048576 or "1M": both spellings are natural in TOML.
    const typeOk = spec.type === 'workers' || spec.type === 'size' ? typeof v === 'number' || typeof v === 'string' : typeof v === want;
    if (!typeOk || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) {
      const got = typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'a table' : String(v);
      throw new ConfigError(`${k} in ${file}: expected a ${spec.type === 'workers' ? "number or 'auto'" : want}, got ${got}`);
    }
    out.set(spec.key, { raw: v, label: `${k} in ${file}`, baseDir });
  }
  return out;
}

/** Loads the configuration; arguments that are not flags are returned as positionals. */
export async function loadConfigWithArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ config: Config; positionals: string[] }> {
  const { flags, positionals } = parseArgs(argv);
  const fromEnv = new Map<keyof Config, Sourced>();
  for (const o of OPTIONS) {
    const v = env[o.env];
    if (v !== undefined && v !== '') fromEnv.set(o.key, { raw: v, label: o.env });
  }
  const fileSource = flags.get('configFile') ?? fromEnv.get('configFile');
  let fromFile = new Map<keyof Config, Sourced>();
  let configFile: string | null = null;
  if (fileSource !== undefined) {
    configFile = convert(CONFIG_FILE_SPEC, fileSource) as string;
    fromFile = await readTomlFile(configFile, fileSource.label);
  }
  const values: Record<string, Value> = { ...DEFAULT_CONFIG };
  for (const o of OPTIONS) {
    const s = flags.get(o.key) ?? fromEnv.get(o.key) ?? fromFile.get(o.key);
    if (s !== undefined) values[o.key] = convert(o, s);
  }
  values.configFile = configFile;
  const config = values as unknown as Config;
  const sourceOf = (key: keyof Config): Sourced | undefined => flags.get(key) ?? fromEnv.get(key) ?? fromFile.get(key);
  validate(config, (key) => sourceOf(key)?.label ?? key, (key) => sourceOf(key) !== undefined);
  return { config, positionals };
}

/** `given`: the option was set by a flag, the environment or the file (not left at its default). */
function validate(c: Config, labelOf: (key: keyof Config) => string, given: (key: keyof Config) => boolean): void {
  // RFC 9738 §3: a server advertises MESSAGELIMIT or SAVELIMIT, never both.
  if (given('imapMessageLimit') && given('imapSaveLimit')) {
    throw new ConfigError(
      `${labelOf('imapMessageLimit')} and ${labelOf('imapSaveLimit')} are both given: a server advertises MESSAGELIMIT or SAVELIMIT (RFC 9738 §3), so set only one (--imap-save-limit limits COPY and APPEND alone)`,
    );
  }
  if ((c.tlsCert === null) !== (c.tlsKey === null)) {
    throw c.tlsCert !== null
      ? new ConfigError(`${labelOf('tlsCert')} given without --tls-key: both the certificate and its key are needed`)
      : new ConfigError(`${labelOf('tlsKey')} given without --tls-cert: both the certificate and its key are needed`);
  }
  if (c.vacationMinPeriod > c.vacationMaxPeriod) {
    throw new ConfigError(`${labelOf('vacationMinPeriod')} (${c.vacationMinPeriod}) is above ${labelOf('vacationMaxPeriod')} (${c.vacationMaxPeriod})`);
  }
  if (c.smtpRelay !== null && parseHostPort(c.smtpRelay) === null) {
    throw new ConfigError(`${labelOf('smtpRelay')}: expected HOST:PORT (e.g. 127.0.0.1:25 or [::1]:25), got '${c.smtpRelay}'`);
  }
  // RFC 5464 §3.2.1.1: /shared/admin "MUST be a URI" (RFC 3986 scheme ":" ...), printable ASCII.
  if (c.metadataAdmin !== null && !/^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$/.test(c.metadataAdmin)) {
    throw new ConfigError(`${labelOf('metadataAdmin')}: expected a URI such as mailto:postmaster@example.com, got '${c.metadataAdmin}'`);
  }
  for (const k of ['spamtestPattern', 'virustestPattern'] as const) {
    const p = c[k];
    if (p === null) continue;
    try {
      new RegExp(p);
    } catch {
      throw new ConfigError(`${labelOf(k)}: not a valid regular expression: ${p}`);
    }
  }
  if (c.imapPort === 0 && c.imapsPort === 0) {
    throw new ConfigError('--imap-port and --imaps-port are both 0: at least one listener must be enabled');
  }
  if (c.imapPort !== 0 && c.imapPort === c.imapsPort) {
    throw new ConfigError(`--imap-port and --imaps-port are both ${c.imapPort}: they must differ`);
  }
}

/** Loads the configuration for `serve`; positional arguments are errors. */
export async function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Promise<Config> {
  const { config, positionals } = await loadConfigWithArgs(argv, env);
  if (positionals.length > 0) throw new ConfigError(`unexpected argument '${positionals[0]}'`);
  return config;
}

/** "host:port" or "[v6]:port" -> parts, or null when malformed. */
export function parseHostPort(s: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):([0-9]{1,5})$/.exec(s);
  if (m === null) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] ?? m[2], port };
}
