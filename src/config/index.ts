/**
 * The configuration layer's public face: the Config record and its option table (options.ts),
 * the loader (load.ts) and TLS material (tls-material.ts).
 */
export type { Config, ConfigLogLevel, OptionSpec, OptionType } from './options.js';
export {
  DEFAULT_CONFIG,
  LOG_LEVEL_NAMES,
  MAX_WORKERS,
  OPTIONS,
  configReference,
  defaultText,
  flagsHelp,
  isLoopbackAddress,
} from './options.js';
export { ConfigError, loadConfig, loadConfigWithArgs, parseHostPort } from './load.js';
export { ensureTlsMaterial, type TlsMaterial } from './tls-material.js';
export { formatSize, parseSize } from './size.js';
