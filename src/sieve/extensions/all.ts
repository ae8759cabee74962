/**
 * The extensions the library supports, in registration order (see extension.ts). Add a new
 * extension by importing it here; an extension that adds tags to another's command comes after it.
 */
import type { SieveExtension } from './extension.js';
import { coreExtension } from './core.js';
import { matchExtension } from './match.js';
import { variablesExtension } from './variables.js';

export const ALL_EXTENSIONS: readonly SieveExtension[] = [coreExtension, matchExtension, variablesExtension];
