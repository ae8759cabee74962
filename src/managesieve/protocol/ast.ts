/**
 * ManageSieve commands as parsed (RFC 5804 §2, grammar §4). Names are upper case; strings that
 * are names or protocol text are decoded UTF-8; script contents stay bytes until the handler
 * checks them (a script that is not UTF-8 is a NO, not a syntax error).
 */

export type ManageSieveCommand =
  | { name: 'AUTHENTICATE'; mechanism: string; initialResponse: string | null }
  | { name: 'CAPABILITY' }
  | { name: 'STARTTLS' }
  | { name: 'LOGOUT' }
  | { name: 'NOOP'; tag: string | null }
  | { name: 'UNAUTHENTICATE' }
  | { name: 'LISTSCRIPTS' }
  | { name: 'HAVESPACE'; scriptName: string; size: number }
  | { name: 'PUTSCRIPT'; scriptName: string; script: Buffer }
  | { name: 'CHECKSCRIPT'; script: Buffer }
  | { name: 'GETSCRIPT'; scriptName: string }
  | { name: 'DELETESCRIPT'; scriptName: string }
  | { name: 'SETACTIVE'; scriptName: string }
  | { name: 'RENAMESCRIPT'; oldName: string; newName: string };

export type ManageSieveCommandName = ManageSieveCommand['name'];

/** One argument as it appeared on the wire. */
export type ManageSieveArg = { kind: 'string'; value: Buffer } | { kind: 'number'; value: number };
