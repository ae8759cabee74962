/**
 * Structured logging: pino, JSON lines on stderr.
 *
 * Invariants:
 * - The rest of the code depends on the small Logger interface below, never on pino.
 * - stderr writes are synchronous so the last lines before an exit are not lost.
 * - Credentials never reach a log: protocol traces pass through redactCommand.
 */
import pino from 'pino';

export { redactCommand, redactSaslLine } from './redact.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogFn {
  (msg: string): void;
  (obj: Record<string, unknown>, msg?: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled?(level: LogLevel): boolean;
}

export interface LoggerOptions {
  /** Where JSON lines go; defaults to stderr (fd 2, synchronous). */
  destination?: { write(chunk: string): unknown };
}

function wrap(p: pino.Logger): Logger {
  const fn =
    (level: 'debug' | 'info' | 'warn' | 'error'): LogFn =>
    (a: string | Record<string, unknown>, msg?: string): void => {
      if (typeof a === 'string') p[level](a);
      else if (msg === undefined) p[level](a);
      else p[level](a, msg);
    };
  return {
    debug: fn('debug'),
    info: fn('info'),
    warn: fn('warn'),
    error: fn('error'),
    child: (bindings) => wrap(p.child(bindings)),
    isLevelEnabled: (level) => level !== 'silent' && p.isLevelEnabled(level),
  };
}

export function createLogger(level: LogLevel, opts: LoggerOptions = {}): Logger {
  const destination = opts.destination ?? pino.destination({ fd: 2, sync: true });
  return wrap(pino({ level, base: { name: 'facteur' }, timestamp: pino.stdTimeFunctions.isoTime }, destination));
}

/** A logger that discards everything (tests, library use). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
  isLevelEnabled: () => false,
};
