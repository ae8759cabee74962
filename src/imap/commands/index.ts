/**
 * Registers every command handler in the command table. The capability list is derived from
 * these registrations (DESIGN rule 5); a command missing here is answered BAD by the session.
 */
import { CommandTable } from '../session/command-table.js';
import { capabilityCommand, checkCommand, noopCommand } from './capability.js';
import { logoutCommand } from './logout.js';
import { starttlsCommand } from './starttls.js';
import { loginCommand } from './login.js';
import { authenticateCommand } from './authenticate.js';
import { enableCommand } from './enable.js';
import { unauthenticateCommand } from './unauthenticate.js';
import { idCommand } from './id.js';
import { namespaceCommand } from './namespace.js';
import { selectCommand, examineCommand } from './select.js';
import { createCommand, deleteCommand, renameCommand, subscribeCommand, unsubscribeCommand } from './mailboxes.js';
import { listCommand, lsubCommand } from './list.js';
import { statusCommand } from './status.js';
import { appendCommand } from './append.js';
import { idleCommand } from './idle.js';
import { closeCommand, unselectCommand } from './close.js';
import { expungeCommand, uidExpungeCommand } from './expunge.js';
import { copyCommand, moveCommand } from './copy.js';
import { replaceCommand } from './replace.js';
import { fetchCommand } from './fetch.js';
import { searchCommand } from './search.js';
import { esearchCommand } from './esearch.js';
import { sortCommand } from './sort.js';
import { threadCommand } from './thread.js';
import { storeCommand } from './store.js';
import { compressCommand } from './compress.js';
import { genUrlAuthCommand, resetKeyCommand, urlFetchCommand } from './urlauth.js';

export function buildCommandTable(): CommandTable {
  const t = new CommandTable();
  t.register(capabilityCommand);
  t.register(noopCommand);
  t.register(logoutCommand);
  t.register(starttlsCommand);
  t.register(loginCommand);
  t.register(authenticateCommand);
  t.register(enableCommand);
  t.register(idCommand);
  t.register(namespaceCommand);
  t.register(selectCommand);
  t.register(examineCommand);
  t.register(createCommand);
  t.register(deleteCommand);
  t.register(renameCommand);
  t.register(subscribeCommand);
  t.register(unsubscribeCommand);
  t.register(listCommand);
  t.register(lsubCommand);
  t.register(statusCommand);
  t.register(appendCommand);
  t.register(idleCommand);
  t.register(checkCommand);
  t.register(closeCommand);
  t.register(unselectCommand);
  t.register(expungeCommand);
  t.register(uidExpungeCommand);
  t.register(searchCommand);
  t.register(esearchCommand);
  t.register(sortCommand);
  t.register(threadCommand);
  t.register(fetchCommand);
  t.register(storeCommand);
  t.register(copyCommand);
  t.register(moveCommand);
  t.register(replaceCommand);
  t.register(unauthenticateCommand);
  t.register(compressCommand);
  t.register(genUrlAuthCommand);
  t.register(resetKeyCommand);
  t.register(urlFetchCommand);
  return t;
}
