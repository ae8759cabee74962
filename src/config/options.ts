/**
 * The server configuration: one typed record, one table describing every option (its flag,
 * environment variable, TOML key, default and meaning). Parsing (load.ts), `serve --help` and
 * the README's configuration reference are all derived from OPTIONS, so they cannot disagree.
 *
 * Invariants:
 * - Precedence: command-line flag > FACTEUR_* environment variable > TOML file > default.
 * - Imports nothing outside src/config (config is the innermost layer).
 */

export const LOG_LEVEL_NAMES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type ConfigLogLevel = (typeof LOG_LEVEL_NAMES)[number];

export interface Config {
  /** Directory holding the database, message blobs and generated TLS material. */
  dataDir: string;
  /**
   * Storage backend: 'sqlite' (embedded, in dataDir) or a postgres:// URL (shared by every node;
   * bodies stored in PostgreSQL too, change events through LISTEN/NOTIFY).
   */
  store: string;
  /** Listen address for every listener. */
  host: string;
  /** Cleartext IMAP with STARTTLS (RFC 9051 §6.2.1); 0 disables the listener. */
  imapPort: number;
  /** IMAP over implicit TLS (RFC 8314 §3.3); 0 disables the listener. */
  imapsPort: number;
  /** Allow LOGIN/AUTHENTICATE before TLS (RFC 9051 §11.1 forbids it by default). */
  allowCleartextAuth: boolean;
  /** Advertise UTF8=ACCEPT (RFC 6855); see docs/decisions/0004. */
  utf8Accept: boolean;
  /**
   * Accounts authorised as message submission entities: the only sessions that may fetch
   * URLAUTH URLs whose access identifier is "submit+<user>" (RFC 4467 §3). Comma-separated.
   */
  urlauthSubmitUsers: string;
  tlsCert: string | null;
  tlsKey: string | null;
  logLevel: ConfigLogLevel;
  maxConnections: number;
  maxConnectionsPerIp: number;
  /**
   * Server processes sharing the listening ports (node:cluster); 1 = no cluster at all. The
   * connection limits above are counted in each process, so they apply per worker.
   */
  workers: number;
  /** A long command sends an INPROGRESS notification (RFC 9585) every N messages (and every 2 s). */
  progressEvery: number;
  /**
   * Expunge-history horizon: expunged UIDs are remembered this many days for QRESYNC (RFC 7162);
   * older clients get a superset in VANISHED (EARLIER). 0 keeps the history forever.
   */
  expungeHistoryDays: number;
  /** The server METADATA entry /shared/admin (RFC 5464 §3.2.1.1): a URI such as mailto:...; null: none. */
  metadataAdmin: string | null;
  /** The TOML file the values were read from, if any. */
  configFile: string | null;
  // --- delivery: LMTP (RFC 2033), `facteur deliver`, Sieve actions ---
  /** LMTP port on --host; 0 disables the TCP listener. */
  lmtpPort: number;
  /** LMTP Unix socket path (Postfix `lmtp:unix:`); null for none. */
  lmtpSocket: string | null;
  /** Recipient domain handling: 'strip' (user@dom -> account user) or 'keep' (account user@dom). */
  recipientDomain: string;
  /** Characters that separate user and detail in a recipient local part (RFC 5233); 'none' disables. */
  recipientDelimiter: string;
  /** SMTP relay (host:port) for redirect, vacation and reject notices; null: those are not sent. */
  smtpRelay: string | null;
  /** Largest message accepted for delivery (LMTP SIZE, RFC 1870), in octets. */
  maxMessageSize: number;
  /** Bounds applied to a vacation period (RFC 5230 §4.1, RFC 6131 §2), in seconds. */
  vacationMinPeriod: number;
  vacationMaxPeriod: number;
  /** RFC 5235 spamtest/virustest: the header carrying the score, an optional regex and the top of the scale. */
  spamtestHeader: string | null;
  spamtestPattern: string | null;
  spamtestMax: number;
  virustestHeader: string | null;
  virustestPattern: string | null;
  virustestMax: number;
  /** Directory of global Sieve scripts (`include :global`, RFC 6609 §3.2). */
  sieveGlobalDir: string | null;
  /** This server's name in LMTP greetings, Received fields and the EHLO sent to the relay; '' = the OS host name. */
  hostname: string;
  /** ManageSieve (RFC 5804) with STARTTLS; 0 disables the listener. */
  managesievePort: number;
  /** Most Sieve scripts per account (RFC 5804 §1.5 QUOTA/MAXSCRIPTS). */
  managesieveMaxScripts: number;
  /** Largest Sieve script in octets (RFC 5804 §1.5 QUOTA/MAXSIZE). */
  managesieveMaxScriptSize: number;
  // --- quotas (RFC 9208) and per-command limits (RFC 9738) ---
  /** Default STORAGE limit per account in octets (accounts without their own); 0 = unlimited. */
  quotaStorage: number;
  /** Default MESSAGE limit per account; 0 = unlimited. */
  quotaMessages: number;
  /** Default MAILBOX limit per account; 0 = unlimited. */
  quotaMailboxes: number;
  /** Accounts that may read every quota root and SETQUOTA (comma-separated). */
  quotaAdminUsers: string;
  /** LMTP reply for a recipient over quota: 'temporary' (452 4.2.2) or 'permanent' (552 5.2.2). */
  quotaExceeded: string;
  /** MESSAGELIMIT (RFC 9738 §3): most messages one command processes; unused when imapSaveLimit is set. */
  imapMessageLimit: number;
  /**
   * SAVELIMIT (RFC 9738 §3): when set, only COPY and APPEND are limited, to this many messages,
   * and SAVELIMIT is advertised instead of MESSAGELIMIT; null: MESSAGELIMIT applies.
   */
  imapSaveLimit: number | null;
  // --- PostgreSQL connection pool (--store postgres://...), per server process ---
  /**
   * Pooled connections per server process (each worker of each node has its own pool, plus two
   * connections for the change bus): size nodes x workers x (this + 2) below max_connections.
   */
  pgPoolMax: number;
  /** Milliseconds a store call waits for a pooled connection before failing UNAVAILABLE. */
  pgConnectTimeout: number;
  /** Milliseconds an unused pooled connection stays open. */
  pgIdleTimeout: number;
  /** Milliseconds a statement may run (PostgreSQL statement_timeout) before it is cancelled. */
  pgStatementTimeout: number;
}

export const DEFAULT_CONFIG: Readonly<Config> = {
  dataDir: './data',
  store: 'sqlite',
  host: '0.0.0.0',
  imapPort: 143,
  imapsPort: 993,
  allowCleartextAuth: false,
  utf8Accept: false,
  urlauthSubmitUsers: '',
  tlsCert: null,
  tlsKey: null,
  logLevel: 'info',
  maxConnections: 10_000,
  maxConnectionsPerIp: 2_000,
  workers: 1,
  progressEvery: 10_000,
  expungeHistoryDays: 90,
  metadataAdmin: null,
  configFile: null,
  lmtpPort: 24,
  lmtpSocket: null,
  recipientDomain: 'strip',
  recipientDelimiter: '+',
  smtpRelay: null,
  maxMessageSize: 64 * 1024 * 1024,
  vacationMinPeriod: 86_400,
  vacationMaxPeriod: 90 * 86_400,
  spamtestHeader: null,
  spamtestPattern: null,
  spamtestMax: 10,
  virustestHeader: null,
  virustestPattern: null,
  virustestMax: 5,
  sieveGlobalDir: null,
  hostname: '',
  managesievePort: 4190,
  managesieveMaxScripts: 100,
  managesieveMaxScriptSize: 1024 * 1024,
  quotaStorage: 0,
  quotaMessages: 0,
  quotaMailboxes: 0,
  quotaAdminUsers: '',
  quotaExceeded: 'temporary',
  imapMessageLimit: 1_000_000,
  imapSaveLimit: null,
  pgPoolMax: 10,
  pgConnectTimeout: 5000,
  pgIdleTimeout: 30_000,
  pgStatementTimeout: 30_000,
};

export type OptionType = 'path' | 'string' | 'port' | 'boolean' | 'count' | 'days' | 'level' | 'workers' | 'choice' | 'store' | 'limit' | 'size';

/** Upper bound of a 'days' option (0-MAX_DAYS): a century, to catch typos. */
export const MAX_DAYS = 36_500;

/** Upper bound of --workers: well above the cores of one machine, low enough to catch typos. */
export const MAX_WORKERS = 64;

export interface OptionSpec {
  key: keyof Config;
  /** Long flag, e.g. "--imap-port". */
  flag: string;
  env: string;
  /** TOML key; null when the option cannot be set from the file (--config itself). */
  toml: string | null;
  type: OptionType;
  /** Placeholder in help text ("N", "DIR"); empty for booleans. */
  valueName: string;
  /** The accepted values of a 'choice' option. */
  choices?: readonly string[];
  description: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { key: 'configFile', flag: '--config', env: 'FACTEUR_CONFIG', toml: null, type: 'path', valueName: 'FILE',
    description: 'TOML file with any of the keys below; relative paths in it are relative to the file' },
  { key: 'dataDir', flag: '--data', env: 'FACTEUR_DATA', toml: 'data', type: 'path', valueName: 'DIR',
    description: 'data directory (database, messages, generated TLS certificate)' },
  { key: 'store', flag: '--store', env: 'FACTEUR_STORE', toml: 'store', type: 'store', valueName: 'STORE',
    description: 'storage backend: sqlite (in the data directory) or postgres://user@host:port/database (shared by several nodes; messages stored in PostgreSQL)' },
  { key: 'host', flag: '--host', env: 'FACTEUR_HOST', toml: 'host', type: 'string', valueName: 'ADDR',
    description: 'listen address; 0.0.0.0 = all IPv4 addresses, :: = all IPv6 (and IPv4 where dual-stack)' },
  { key: 'imapPort', flag: '--imap-port', env: 'FACTEUR_IMAP_PORT', toml: 'imap_port', type: 'port', valueName: 'N',
    description: 'IMAP port (cleartext + STARTTLS); 0 disables it' },
  { key: 'imapsPort', flag: '--imaps-port', env: 'FACTEUR_IMAPS_PORT', toml: 'imaps_port', type: 'port', valueName: 'N',
    description: 'IMAPS port (implicit TLS); 0 disables it' },
  { key: 'allowCleartextAuth', flag: '--allow-cleartext-auth', env: 'FACTEUR_ALLOW_CLEARTEXT_AUTH', toml: 'allow_cleartext_auth',
    type: 'boolean', valueName: '',
    description: 'allow LOGIN/AUTHENTICATE without TLS (for tests and trusted networks only)' },
  { key: 'utf8Accept', flag: '--utf8-accept', env: 'FACTEUR_UTF8_ACCEPT', toml: 'utf8_accept',
    type: 'boolean', valueName: '',
    description: 'advertise UTF8=ACCEPT (RFC 6855); clients that do not enable it can then no longer APPEND messages with raw 8-bit headers' },
  { key: 'urlauthSubmitUsers', flag: '--urlauth-submit-users', env: 'FACTEUR_URLAUTH_SUBMIT_USERS', toml: 'urlauth_submit_users',
    type: 'string', valueName: 'USERS',
    description: 'comma-separated accounts that act as message submission servers: only they may URLFETCH "submit+" URLAUTH URLs (RFC 4467)' },
  { key: 'tlsCert', flag: '--tls-cert', env: 'FACTEUR_TLS_CERT', toml: 'tls_cert', type: 'path', valueName: 'FILE',
    description: 'PEM certificate chain; without it a self-signed certificate is generated in DATA/tls/' },
  { key: 'tlsKey', flag: '--tls-key', env: 'FACTEUR_TLS_KEY', toml: 'tls_key', type: 'path', valueName: 'FILE',
    description: 'PEM private key for --tls-cert (both or neither)' },
  { key: 'logLevel', flag: '--log-level', env: 'FACTEUR_LOG_LEVEL', toml: 'log_level', type: 'level', valueName: 'LEVEL',
    description: `log level: ${LOG_LEVEL_NAMES.join(', ')}; logs are JSON lines on stderr` },
  { key: 'maxConnections', flag: '--max-connections', env: 'FACTEUR_MAX_CONNECTIONS', toml: 'max_connections', type: 'count',
    valueName: 'N', description: 'connections accepted at once, all listeners together; counted per worker process (--workers)' },
  { key: 'maxConnectionsPerIp', flag: '--max-connections-per-ip', env: 'FACTEUR_MAX_CONNECTIONS_PER_IP',
    toml: 'max_connections_per_ip', type: 'count', valueName: 'N',
    description: 'connections accepted at once from one address, counted per worker process (--workers); high by default for proxies and benchmarks, lower it (e.g. 50) on public servers' },
  { key: 'workers', flag: '--workers', env: 'FACTEUR_WORKERS', toml: 'workers', type: 'workers', valueName: 'N',
    description: `server processes sharing the ports, to use several cores: 1-${MAX_WORKERS}, or auto (one per CPU); the connection limits apply to each worker` },
  { key: 'progressEvery', flag: '--progress-every', env: 'FACTEUR_PROGRESS_EVERY', toml: 'progress_every', type: 'count',
    valueName: 'N', description: 'a long SEARCH, SORT, THREAD or FETCH sends a progress notification (RFC 9585 INPROGRESS) every N messages, and at least every 2 s' },
  { key: 'expungeHistoryDays', flag: '--expunge-history-days', env: 'FACTEUR_EXPUNGE_HISTORY_DAYS', toml: 'expunge_history_days', type: 'days',
    valueName: 'N', description: 'days expunged UIDs are remembered for QRESYNC resynchronisation (RFC 7162); a client last synced before that gets every UID it named that no longer exists in VANISHED (EARLIER); 0 keeps the history forever' },
  { key: 'metadataAdmin', flag: '--metadata-admin', env: 'FACTEUR_METADATA_ADMIN', toml: 'metadata_admin', type: 'string',
    valueName: 'URI', description: 'how to reach the administrator (e.g. mailto:postmaster@example.com), shown to clients as the read-only server METADATA entry /shared/admin (RFC 5464) and to Sieve servermetadata' },
  // --- delivery (LMTP, `facteur deliver`, Sieve) ---
  { key: 'lmtpPort', flag: '--lmtp-port', env: 'FACTEUR_LMTP_PORT', toml: 'lmtp_port', type: 'port', valueName: 'N',
    description: 'LMTP port (RFC 2033) on --host, for the MTA to deliver into; 0 disables it' },
  { key: 'lmtpSocket', flag: '--lmtp-socket', env: 'FACTEUR_LMTP_SOCKET', toml: 'lmtp_socket', type: 'path', valueName: 'PATH',
    description: "LMTP on a Unix socket too (Postfix's lmtp:unix:PATH); the file is replaced at start" },
  { key: 'recipientDomain', flag: '--recipient-domain', env: 'FACTEUR_RECIPIENT_DOMAIN', toml: 'recipient_domain', type: 'choice',
    choices: ['strip', 'keep'], valueName: 'MODE',
    description: 'strip: user@example.com delivers to account user; keep: to the account named user@example.com' },
  { key: 'recipientDelimiter', flag: '--recipient-delimiter', env: 'FACTEUR_RECIPIENT_DELIMITER', toml: 'recipient_delimiter', type: 'string',
    valueName: 'CHARS', description: 'characters separating user and detail (user+detail delivers to user, RFC 5233); none disables' },
  { key: 'smtpRelay', flag: '--smtp-relay', env: 'FACTEUR_SMTP_RELAY', toml: 'smtp_relay', type: 'string', valueName: 'HOST:PORT',
    description: 'SMTP relay for Sieve redirect, vacation replies and reject notices; without it they are not sent (logged)' },
  { key: 'maxMessageSize', flag: '--max-message-size', env: 'FACTEUR_MAX_MESSAGE_SIZE', toml: 'max_message_size', type: 'count',
    valueName: 'BYTES', description: 'largest message accepted for delivery (LMTP SIZE, RFC 1870)' },
  { key: 'vacationMinPeriod', flag: '--vacation-min-period', env: 'FACTEUR_VACATION_MIN_PERIOD', toml: 'vacation_min_period', type: 'count',
    valueName: 'SECONDS', description: 'shortest interval between two vacation replies to one sender (RFC 5230 :days, RFC 6131 :seconds)' },
  { key: 'vacationMaxPeriod', flag: '--vacation-max-period', env: 'FACTEUR_VACATION_MAX_PERIOD', toml: 'vacation_max_period', type: 'count',
    valueName: 'SECONDS', description: 'longest interval between two vacation replies to one sender' },
  { key: 'spamtestHeader', flag: '--spamtest-header', env: 'FACTEUR_SPAMTEST_HEADER', toml: 'spamtest_header', type: 'string',
    valueName: 'FIELD', description: 'header field with the spam score for Sieve spamtest (RFC 5235), e.g. X-Spam-Score' },
  { key: 'spamtestPattern', flag: '--spamtest-pattern', env: 'FACTEUR_SPAMTEST_PATTERN', toml: 'spamtest_pattern', type: 'string',
    valueName: 'REGEX', description: 'regular expression whose first group is the score in that field (default: the field is the number)' },
  { key: 'spamtestMax', flag: '--spamtest-max', env: 'FACTEUR_SPAMTEST_MAX', toml: 'spamtest_max', type: 'count',
    valueName: 'N', description: 'spam score that maps to the top of the spamtest scale' },
  { key: 'virustestHeader', flag: '--virustest-header', env: 'FACTEUR_VIRUSTEST_HEADER', toml: 'virustest_header', type: 'string',
    valueName: 'FIELD', description: 'header field with the virus verdict for Sieve virustest (RFC 5235)' },
  { key: 'virustestPattern', flag: '--virustest-pattern', env: 'FACTEUR_VIRUSTEST_PATTERN', toml: 'virustest_pattern', type: 'string',
    valueName: 'REGEX', description: 'regular expression whose first group is the virus score in that field' },
  { key: 'virustestMax', flag: '--virustest-max', env: 'FACTEUR_VIRUSTEST_MAX', toml: 'virustest_max', type: 'count',
    valueName: 'N', description: 'virus score that maps to the top of the virustest scale' },
  { key: 'hostname', flag: '--hostname', env: 'FACTEUR_HOSTNAME', toml: 'hostname', type: 'string', valueName: 'FQDN',
    description: "this server's fully qualified name in the LMTP greeting, Received fields and the EHLO sent to --smtp-relay (relays often refuse a non-FQDN HELO); default: the OS host name" },
  { key: 'sieveGlobalDir', flag: '--sieve-global-dir', env: 'FACTEUR_SIEVE_GLOBAL_DIR', toml: 'sieve_global_dir', type: 'path',
    valueName: 'DIR', description: 'directory of global Sieve scripts (NAME.sieve) for include :global (RFC 6609)' },
  { key: 'managesievePort', flag: '--managesieve-port', env: 'FACTEUR_MANAGESIEVE_PORT', toml: 'managesieve_port', type: 'port', valueName: 'N',
    description: 'ManageSieve port (RFC 5804, cleartext + STARTTLS; authentication follows --allow-cleartext-auth like IMAP); 0 disables it' },
  { key: 'managesieveMaxScripts', flag: '--managesieve-max-scripts', env: 'FACTEUR_MANAGESIEVE_MAX_SCRIPTS', toml: 'managesieve_max_scripts',
    type: 'count', valueName: 'N', description: 'Sieve scripts one account may store (ManageSieve QUOTA/MAXSCRIPTS)' },
  { key: 'managesieveMaxScriptSize', flag: '--managesieve-max-script-size', env: 'FACTEUR_MANAGESIEVE_MAX_SCRIPT_SIZE',
    toml: 'managesieve_max_script_size', type: 'count', valueName: 'BYTES',
    description: 'largest Sieve script in bytes (ManageSieve QUOTA/MAXSIZE)' },
  // --- quotas (RFC 9208) and per-command limits (RFC 9738) ---
  { key: 'quotaStorage', flag: '--quota-storage', env: 'FACTEUR_QUOTA_STORAGE', toml: 'quota_storage', type: 'size', valueName: 'SIZE',
    description: 'default storage quota of an account (sum of its message sizes), e.g. 2G or 512M; accounts can have their own (facteur quota set); 0 = unlimited' },
  { key: 'quotaMessages', flag: '--quota-messages', env: 'FACTEUR_QUOTA_MESSAGES', toml: 'quota_messages', type: 'limit', valueName: 'N',
    description: 'default limit on the number of messages in all mailboxes of an account; 0 = unlimited' },
  { key: 'quotaMailboxes', flag: '--quota-mailboxes', env: 'FACTEUR_QUOTA_MAILBOXES', toml: 'quota_mailboxes', type: 'limit', valueName: 'N',
    description: 'default limit on the number of mailboxes of an account; 0 = unlimited' },
  { key: 'quotaAdminUsers', flag: '--quota-admin-users', env: 'FACTEUR_QUOTA_ADMIN_USERS', toml: 'quota_admin_users', type: 'string',
    valueName: 'USERS', description: 'comma-separated accounts that may read every quota root and change limits with IMAP SETQUOTA (RFC 9208)' },
  { key: 'quotaExceeded', flag: '--quota-exceeded', env: 'FACTEUR_QUOTA_EXCEEDED', toml: 'quota_exceeded', type: 'choice',
    choices: ['temporary', 'permanent'], valueName: 'MODE',
    description: 'LMTP reply for a recipient over quota: temporary (452 4.2.2, the MTA retries) or permanent (552 5.2.2, bounced)' },
  { key: 'imapMessageLimit', flag: '--imap-message-limit', env: 'FACTEUR_IMAP_MESSAGE_LIMIT', toml: 'imap_message_limit', type: 'count',
    valueName: 'N', description: 'IMAP MESSAGELIMIT (RFC 9738): most messages one FETCH, STORE, SEARCH, MOVE or UID EXPUNGE processes (the N highest UIDs, the reply says [MESSAGELIMIT N uid]), and most one COPY, APPEND, SORT or THREAD accepts (more: NO [MESSAGELIMIT N]); values below 1000 are logged as a warning' },
  { key: 'imapSaveLimit', flag: '--imap-save-limit', env: 'FACTEUR_IMAP_SAVE_LIMIT', toml: 'imap_save_limit', type: 'count',
    valueName: 'N', description: 'advertise IMAP SAVELIMIT=N (RFC 9738) instead of MESSAGELIMIT: only COPY and APPEND are limited (more than N messages: NO [MESSAGELIMIT N]), every other command is unlimited; cannot be combined with --imap-message-limit' },
  // --- PostgreSQL pool (only with --store postgres://...) ---
  { key: 'pgPoolMax', flag: '--pg-pool-max', env: 'FACTEUR_PG_POOL_MAX', toml: 'pg_pool_max', type: 'count', valueName: 'N',
    description: 'PostgreSQL connections per server process (each worker of each node has its own pool, plus 2 for change notifications): keep nodes x workers x (N + 2) below the server\'s max_connections' },
  { key: 'pgConnectTimeout', flag: '--pg-connect-timeout', env: 'FACTEUR_PG_CONNECT_TIMEOUT', toml: 'pg_connect_timeout', type: 'count', valueName: 'MS',
    description: 'milliseconds a command waits for a PostgreSQL connection (pool exhausted or database unreachable) before failing temporarily (IMAP NO [UNAVAILABLE], LMTP 451)' },
  { key: 'pgIdleTimeout', flag: '--pg-idle-timeout', env: 'FACTEUR_PG_IDLE_TIMEOUT', toml: 'pg_idle_timeout', type: 'count', valueName: 'MS',
    description: 'milliseconds an unused pooled PostgreSQL connection stays open' },
  { key: 'pgStatementTimeout', flag: '--pg-statement-timeout', env: 'FACTEUR_PG_STATEMENT_TIMEOUT', toml: 'pg_statement_timeout', type: 'count', valueName: 'MS',
    description: 'milliseconds one SQL statement (lock waits included) may run before PostgreSQL cancels it and the command fails temporarily' },
];

export function defaultText(spec: OptionSpec): string {
  const v = DEFAULT_CONFIG[spec.key];
  if (v === null) return spec.key === 'tlsCert' || spec.key === 'tlsKey' ? '(generated)' : '(none)';
  return String(v);
}

/** Help text for the serve flags, one line per option (plus `extra` [flag, text] rows). */
export function flagsHelp(extra: ReadonlyArray<readonly [string, string]> = [], indent = '  '): string {
  const rows: Array<readonly [string, string]> = OPTIONS.map((o) => [
    `${o.flag}${o.valueName === '' ? '' : ' ' + o.valueName}`,
    `${o.description} [default: ${defaultText(o)}; env ${o.env}]`,
  ]);
  rows.push(...extra);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return rows.map(([f, text]) => `${indent}${f.padEnd(width)}${text}`).join('\n');
}

/** The configuration reference as a Markdown table (reproduced in the README). */
export function configReference(): string {
  const head = '| Flag | Environment | TOML key | Default | Meaning |\n|---|---|---|---|---|';
  const rows = OPTIONS.map(
    (o) =>
      `| \`${o.flag}${o.valueName === '' ? '' : ' ' + o.valueName}\` | \`${o.env}\` | ${o.toml === null ? '—' : '`' + o.toml + '`'} | \`${defaultText(o)}\` | ${o.description} |`,
  );
  return [
    head,
    ...rows,
    '',
    'Precedence: flag > environment > TOML file > default. Flags also accept `--flag=value`.',
    'Booleans: a bare flag means true; `--flag=false`, and in the environment 1/0, true/false, yes/no, on/off.',
    'Ports are 0-65535 (0 disables that listener; at least one must stay enabled).',
  ].join('\n');
}

/** Loopback addresses (127.0.0.0/8, ::1, IPv4-mapped loopback). */
export function isLoopbackAddress(ip: string): boolean {
  return ip === '::1' || /^(?:::ffff:)?127\./i.test(ip);
}
