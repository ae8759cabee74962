/**
 * Reading a new password for `user add` / `user passwd`.
 *
 * Invariants:
 * - stdin not a terminal: the first line is the password (trailing CR/LF stripped); nothing
 *   else is read beyond what the stream delivers.
 * - stdin a terminal: prompt on stderr twice with echo off (raw mode); the two must match.
 *   Ctrl-C / Ctrl-D abort; echo is restored on every path.
 * - An empty password is refused.
 */
import { CliError, type CliIo } from './io.js';

async function readFirstLine(stdin: CliIo['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    const nl = b.indexOf(0x0a);
    if (nl !== -1) {
      chunks.push(b.subarray(0, nl));
      break;
    }
    chunks.push(b);
    if (chunks.reduce((n, c) => n + c.length, 0) > 64 * 1024) throw new CliError('password line longer than 64 KiB');
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r$/, '');
}

function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  return new Promise((resolve, reject) => {
    io.stderr.write(prompt);
    let value = '';
    const finish = (err: Error | null): void => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (err !== null) reject(err);
      else resolve(value);
    };
    const onData = (data: Buffer | string): void => {
      for (const ch of data.toString()) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003' || ch === '\u0004') return finish(new CliError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

export async function readNewPassword(io: CliIo): Promise<string> {
  let password: string;
  if (io.stdin.isTTY === true) {
    password = await promptHidden(io, 'New password: ');
    const again = await promptHidden(io, 'Repeat password: ');
    if (again !== password) throw new CliError('the passwords do not match');
  } else {
    password = await readFirstLine(io.stdin);
  }
  if (password === '') throw new CliError('empty password refused');
  return password;
}
