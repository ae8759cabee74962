/**
 * The extensions the library supports, in registration order (see extension.ts). Add a new
 * extension by importing it here; an extension that adds tags to another's command comes after it.
 */
import type { SieveExtension } from './extension.js';
import { coreExtension } from './core.js';
import { matchExtension } from './match.js';
import { variablesExtension } from './variables.js';
import { copyExtension } from './copy.js';
import { rejectExtension } from './reject.js';
import { relationalExtension } from './relational.js';
import { imap4flagsExtension } from './imap4flags.js';
import { subaddressExtension } from './subaddress.js';
import { mailboxExtension } from './mailbox.js';
import { ihaveExtension } from './ihave.js';
import { environmentExtension } from './environment.js';
import { bodyExtension } from './body.js';
import { spamtestExtension } from './spamtest.js';
import { regexExtension } from './regex.js';
import { specialUseExtension } from './special-use.js';
import { duplicateExtension } from './duplicate.js';
import { vacationExtension } from './vacation.js';
import { dateExtension, indexExtension } from './date.js';
import { editheaderExtension } from './editheader.js';
import { includeExtension } from './include.js';
import { mboxMetadataExtension } from './metadata.js';

export const ALL_EXTENSIONS: readonly SieveExtension[] = [
  coreExtension,
  matchExtension,
  variablesExtension,
  copyExtension,
  rejectExtension,
  relationalExtension,
  imap4flagsExtension,
  subaddressExtension,
  mailboxExtension,
  ihaveExtension,
  environmentExtension,
  bodyExtension,
  spamtestExtension,
  regexExtension,
  specialUseExtension,
  duplicateExtension,
  vacationExtension,
  dateExtension,
  indexExtension,
  editheaderExtension,
  includeExtension,
  mboxMetadataExtension,
];
