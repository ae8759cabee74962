/**
 * Modified UTF-7 mailbox names (RFC 3501 §5.1.3, RFC 9051 Appendix A.1).
 *
 * Invariants:
 * - encode() produces the one canonical form: printable US-ASCII except "&" stands for itself,
 *   "&" is "&-", every other run of characters is one "&<modified base64 of UTF-16BE>-".
 * - decode() accepts only that canonical form and returns null otherwise: no 8-bit or control
 *   octets, no unterminated or empty shift, no encoded printable ASCII, no two adjacent shifts,
 *   no non-zero padding bits, no unpaired surrogates.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const B64_VALUE = new Map<string, number>([...B64].map((ch, i) => [ch, i]));

function isDirect(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

export function encodeModifiedUtf7(name: string): string {
  let out = '';
  let run: number[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    out += `&${base64(run)}-`;
    run = [];
  };
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (isDirect(code)) {
      flush();
      out += code === 0x26 ? '&-' : name[i];
    } else {
      run.push(code);
    }
  }
  flush();
  return out;
}

function base64(units: number[]): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const unit of units) {
    for (const byte of [unit >> 8, unit & 0xff]) {
      acc = (acc << 8) | byte;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += B64[(acc >> bits) & 0x3f];
      }
      acc &= (1 << bits) - 1;
    }
  }
  if (bits > 0) out += B64[(acc << (6 - bits)) & 0x3f];
  return out;
}

/** Decodes a canonical modified UTF-7 name; null when the input is not canonical mUTF-7. */
export function decodeModifiedUtf7(input: string): string | null {
  let out = '';
  let i = 0;
  let lastWasShift = false;
  while (i < input.length) {
    const code = input.charCodeAt(i);
    if (!isDirect(code)) return null;
    if (code !== 0x26) {
      out += input[i];
      i++;
      lastWasShift = false;
      continue;
    }
    const close = input.indexOf('-', i + 1);
    if (close === -1) return null;
    if (close === i + 1) {
      out += '&';
      i += 2;
      lastWasShift = false;
      continue;
    }
    if (lastWasShift) return null;
    const decoded = decodeRun(input.slice(i + 1, close));
    if (decoded === null) return null;
    out += decoded;
    i = close + 1;
    lastWasShift = true;
  }
  return out;
}

function decodeRun(text: string): string | null {
  const units: number[] = [];
  let acc = 0;
  let bits = 0;
  let pendingByte = -1;
  for (const ch of text) {
    const v = B64_VALUE.get(ch);
    if (v === undefined) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const byte = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
      if (pendingByte < 0) pendingByte = byte;
      else {
        units.push((pendingByte << 8) | byte);
        pendingByte = -1;
      }
    }
  }
  // Leftover: fewer than 6 zero bits, and no half code unit.
  if (pendingByte >= 0 || bits >= 6 || acc !== 0 || units.length === 0) return null;
  let out = '';
  for (let k = 0; k < units.length; k++) {
    const u = units[k];
    if (isDirect(u)) return null;
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = units[k + 1];
      if (next === undefined || next < 0xdc00 || next > 0xdfff) return null;
      out += String.fromCharCode(u, next);
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      return null;
    } else {
      out += String.fromCharCode(u);
    }
  }
  return out;
}
