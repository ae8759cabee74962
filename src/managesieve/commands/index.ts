/**
 * Registers every ManageSieve command (RFC 5804 §2). Capabilities derived from the table
 * (STARTTLS, UNAUTHENTICATE) follow these registrations; a command missing here is answered NO.
 */
import { CommandTable } from '../session/command-table.js';
import { authenticateCommand } from './authenticate.js';
import { capabilityCommand, logoutCommand, noopCommand, unauthenticateCommand } from './basic.js';
import { checkscriptCommand, havespaceCommand, putscriptCommand } from './putscript.js';
import { deletescriptCommand, getscriptCommand, listscriptsCommand, renamescriptCommand, setactiveCommand } from './scripts.js';
import { starttlsCommand } from './starttls.js';

export function buildManageSieveCommandTable(): CommandTable {
  const t = new CommandTable();
  t.register(capabilityCommand);
  t.register(noopCommand);
  t.register(logoutCommand);
  t.register(starttlsCommand);
  t.register(authenticateCommand);
  t.register(unauthenticateCommand);
  t.register(havespaceCommand);
  t.register(putscriptCommand);
  t.register(checkscriptCommand);
  t.register(listscriptsCommand);
  t.register(getscriptCommand);
  t.register(setactiveCommand);
  t.register(deletescriptCommand);
  t.register(renamescriptCommand);
  return t;
}
