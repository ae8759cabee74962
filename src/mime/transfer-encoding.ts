/**
 * Content-Transfer-Encoding removal (RFC 2045 §6). Never throws; tolerant as Dovecot is:
 * - base64 (§6.8): characters outside the alphabet are skipped; '=' ends a 4-character group
 *   and decoding resumes after it (concatenated encodings); a dangling single character is dropped;
 * - quoted-printable (§6.7): "=" + optional trailing whitespace + line break is a soft break,
 *   trailing whitespace of lines is removed (rule 3), an "=" not followed by two hex digits is
 *   kept literally; line breaks are kept as written;
 * - 7BIT/8BIT/BINARY (and no encoding) are identity; any other name returns null (RFC 3516
 *   UNKNOWN-CTE).
 */

const B64 = new Int16Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  B64[c.charCodeAt(0)] = i;
});

export function decodeBase64(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(Math.floor((input.length * 3) / 4) + 3);
  let n = 0;
  let acc = 0;
  let bits = 0;
  let count = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === 0x3d) {
      // padding: finish the group; partial bits are discarded
      acc = 0;
      bits = 0;
      count = 0;
      continue;
    }
    const v = B64[c]!;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    count++;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
    if (count === 4) {
      acc = 0;
      bits = 0;
      count = 0;
    }
    acc &= 0xffff;
  }
  return out.subarray(0, n);
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const isWsp = (c: number | undefined): boolean => c === 0x20 || c === 0x09;

export function decodeQuotedPrintable(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let n = 0;
  let pos = 0;
  while (pos < input.length) {
    let lf = input.indexOf(0x0a, pos);
    const hasBreak = lf >= 0;
    if (!hasBreak) lf = input.length;
    let contentEnd = lf;
    if (hasBreak && contentEnd > pos && input[contentEnd - 1] === 0x0d) contentEnd--;
    let trimmed = contentEnd;
    while (trimmed > pos && isWsp(input[trimmed - 1])) trimmed--;
    let soft = false;
    if (trimmed > pos && input[trimmed - 1] === 0x3d) {
      soft = true;
      trimmed--;
    }
    for (let i = pos; i < trimmed; i++) {
      const c = input[i]!;
      if (c === 0x3d && i + 2 < trimmed + 1) {
        const h = hex(input[i + 1] ?? -1);
        const l = hex(input[i + 2] ?? -1);
        if (i + 2 < trimmed && h >= 0 && l >= 0) {
          out[n++] = (h << 4) | l;
          i += 2;
          continue;
        }
      }
      out[n++] = c;
    }
    if (!soft && hasBreak) {
      for (let i = contentEnd; i <= lf; i++) out[n++] = input[i]!;
    }
    pos = lf + 1;
  }
  return out.subarray(0, n);
}

/** Body bytes with the named transfer encoding removed; null for an unknown encoding. */
export function decodeTransfer(body: Buffer, encoding: string): Buffer | null {
  switch (encoding.trim().toUpperCase()) {
    case '':
    case '7BIT':
    case '8BIT':
    case 'BINARY':
      return body;
    case 'BASE64':
      return decodeBase64(body);
    case 'QUOTED-PRINTABLE':
      return decodeQuotedPrintable(body);
    default:
      return null;
  }
}
