/**
 * Sizes and limits as operators write them: "1048576", "512K", "10M", "1G", "2T" (binary units,
 * 1K = 1024 octets, case-insensitive, an optional trailing "B"). Used by --quota-storage and
 * `facteur quota set`.
 *
 * Invariants:
 * - Whole numbers only, at most 2^53 - 1 octets: every accepted size is an exact JS number.
 * - null for anything else (the caller names the option in its error).
 */

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Octets, or null when `text` is not a size. */
export function parseSize(text: string): number | null {
  const m = /^([0-9]{1,16})\s*([KMGT]?)B?$/i.exec(text.trim());
  if (m === null) return null;
  const n = Number(m[1]) * UNITS[m[2].toUpperCase()];
  return Number.isSafeInteger(n) ? n : null;
}

/** A size for people: the largest binary unit that divides it exactly ("1G", "1536K", "100"). */
export function formatSize(octets: number): string {
  for (const unit of ['T', 'G', 'M', 'K']) {
    const u = UNITS[unit];
    if (octets >= u && octets % u === 0) return `${octets / u}${unit}`;
  }
  return String(octets);
}
