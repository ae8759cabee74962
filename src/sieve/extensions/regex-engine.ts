/**
 * A small POSIX-extended-like regular expression engine for the Sieve :regex match type
 * (draft-ietf-sieve-regex §3: keys are POSIX ERE). It is a Pike VM (Thompson NFA simulation with
 * capture slots), so matching time is O(input × program) whatever the pattern: no catastrophic
 * backtracking is possible, and the caller is charged for the work done.
 *
 * Supported: literals, '.', bracket expressions with ranges, negation and [:class:] names,
 * anchors '^' '$', groups, alternation, quantifiers * + ? {m} {m,} {m,n} (m, n <= 255, POSIX
 * RE_DUP_MAX), and '\' before a non-alphanumeric character as a literal.
 * Rejected with a message: back-references and other '\<letter or digit>' escapes (POSIX leaves
 * them undefined in ERE), unbalanced parentheses or brackets, a quantifier with nothing to
 * repeat, programs larger than MAX_PROGRAM (counted repetition multiplies size).
 *
 * Semantics: leftmost match; among matches at the leftmost start, the first by priority (greedy
 * quantifiers, left alternative first), as Perl-style engines do — POSIX asks for the longest,
 * which differs only in which captures a pattern reports, never in whether it matches.
 * '.' and negated brackets match any character including newline; '^'/'$' are string anchors.
 * Characters are Unicode code points; a case-folding comparator passes `fold`.
 */

export const MAX_PROGRAM = 20_000;
export const MAX_PATTERN = 4096;
const DUP_MAX = 255;

type Node =
  | { t: 'char'; test: (c: string) => boolean }
  | { t: 'bol' }
  | { t: 'eol' }
  | { t: 'group'; index: number; body: Node }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; body: Node; min: number; max: number };

type Inst =
  | { op: 'char'; test: (c: string) => boolean }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'save'; n: number }
  | { op: 'bol' }
  | { op: 'eol' }
  | { op: 'match' };

export class RegexError extends Error {}

export interface CompiledRegex {
  prog: Inst[];
  groups: number;
}

const CLASSES: Record<string, (c: string) => boolean> = {
  alpha: (c) => /^\p{L}$/u.test(c),
  digit: (c) => c >= '0' && c <= '9',
  alnum: (c) => /^[\p{L}\p{Nd}]$/u.test(c),
  upper: (c) => /^\p{Lu}$/u.test(c),
  lower: (c) => /^\p{Ll}$/u.test(c),
  space: (c) => /^\s$/u.test(c),
  blank: (c) => c === ' ' || c === '\t',
  punct: (c) => /^[!-/:-@[-`{-~]$/.test(c),
  print: (c) => c >= ' ' && c !== '\x7f',
  graph: (c) => c > ' ' && c !== '\x7f',
  cntrl: (c) => c < ' ' || c === '\x7f',
  xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
};

/** Parses and compiles a pattern. `fold` maps a character to its case-folded form (or identity). */
export function compileRegex(pattern: string, fold: (c: string) => string): CompiledRegex {
  if (pattern.length > MAX_PATTERN) throw new RegexError(`regular expression longer than ${MAX_PATTERN} characters`);
  const chars = [...pattern];
  let i = 0;
  let groups = 0;
  let depth = 0;

  const folded = (test: (c: string) => boolean): ((c: string) => boolean) => (c) => test(c) || test(fold(c));

  function parseAlt(): Node {
    const items = [parseCat()];
    while (chars[i] === '|') {
      i++;
      items.push(parseCat());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  function parseCat(): Node {
    const items: Node[] = [];
    while (i < chars.length && chars[i] !== '|' && chars[i] !== ')') {
      let atom = parseAtom();
      for (;;) {
        const q = chars[i];
        let min: number;
        let max: number;
        if (q === '*') [min, max] = [0, Infinity];
        else if (q === '+') [min, max] = [1, Infinity];
        else if (q === '?') [min, max] = [0, 1];
        else if (q === '{' && /^\{[0-9]/.test(chars.slice(i, i + 2).join(''))) {
          const close = chars.indexOf('}', i);
          if (close < 0) throw new RegexError("unterminated '{' repetition");
          const m = /^([0-9]+)(,([0-9]*))?$/.exec(chars.slice(i + 1, close).join(''));
          if (m === null) throw new RegexError('invalid repetition count');
          min = Number(m[1]);
          max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
          if (min > DUP_MAX || (max !== Infinity && max > DUP_MAX) || max < min) throw new RegexError('invalid repetition count');
          i = close;
        } else break;
        i++;
        if (atom.t === 'bol' || atom.t === 'eol') throw new RegexError('quantifier after an anchor');
        atom = { t: 'rep', body: atom, min, max };
      }
      items.push(atom);
    }
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  function parseAtom(): Node {
    const c = chars[i]!;
    if (c === '(') {
      i++;
      if (++depth > 64) throw new RegexError('parentheses nested too deeply');
      const index = ++groups;
      const body = parseAlt();
      if (chars[i] !== ')') throw new RegexError("missing ')'");
      i++;
      depth--;
      return { t: 'group', index, body };
    }
    if (c === '*' || c === '+' || c === '?') throw new RegexError(`'${c}' with nothing to repeat`);
    if (c === '{' && /^\{[0-9]/.test(chars.slice(i, i + 2).join(''))) throw new RegexError("'{' with nothing to repeat");
    i++;
    if (c === '.') return { t: 'char', test: () => true };
    if (c === '^') return { t: 'bol' };
    if (c === '$') return { t: 'eol' };
    if (c === '[') return parseBracket();
    if (c === '\\') {
      const e = chars[i];
      if (e === undefined) throw new RegexError("trailing '\\'");
      if (/[0-9A-Za-z]/.test(e)) throw new RegexError(`unsupported escape '\\${e}' (back-references and class escapes are not POSIX ERE)`);
      i++;
      const f = fold(e);
      return { t: 'char', test: (x) => x === e || fold(x) === f };
    }
    const f = fold(c);
    return { t: 'char', test: (x) => x === c || fold(x) === f };
  }

  function parseBracket(): Node {
    let negate = false;
    if (chars[i] === '^') {
      negate = true;
      i++;
    }
    const tests: Array<(c: string) => boolean> = [];
    let first = true;
    for (;;) {
      if (i >= chars.length) throw new RegexError("missing ']'");
      let c = chars[i]!;
      if (c === ']' && !first) {
        i++;
        break;
      }
      first = false;
      if (c === '[' && (chars[i + 1] === ':' || chars[i + 1] === '=' || chars[i + 1] === '.')) {
        const kind = chars[i + 1]!;
        const end = chars.indexOf(kind, i + 2);
        if (end < 0 || chars[end + 1] !== ']') throw new RegexError(`unterminated '[${kind}'`);
        const name = chars.slice(i + 2, end).join('');
        i = end + 2;
        if (kind === ':') {
          const cls = CLASSES[name];
          if (cls === undefined) throw new RegexError(`unknown character class '[:${name}:]'`);
          tests.push(cls);
          continue;
        }
        if ([...name].length !== 1) throw new RegexError(`unsupported collating element '[${kind}${name}${kind}]'`);
        c = name;
      } else i++;
      if (chars[i] === '-' && chars[i + 1] !== undefined && chars[i + 1] !== ']') {
        const hi = chars[i + 1]!;
        i += 2;
        const lo = c.codePointAt(0)!;
        const up = hi.codePointAt(0)!;
        if (up < lo) throw new RegexError(`invalid range '${c}-${hi}'`);
        tests.push((x) => {
          const p = x.codePointAt(0)!;
          return p >= lo && p <= up;
        });
      } else {
        const lit = c;
        tests.push((x) => x === lit);
      }
    }
    const inSet = folded((x) => tests.some((t) => t(x)));
    return { t: 'char', test: negate ? (x) => !inSet(x) : inSet };
  }

  const ast = parseAlt();
  if (i < chars.length) throw new RegexError(`unexpected '${chars[i]}'`);

  const prog: Inst[] = [];
  const emit = (ins: Inst): number => {
    if (prog.length >= MAX_PROGRAM) throw new RegexError('regular expression too complex');
    prog.push(ins);
    return prog.length - 1;
  };
  function gen(n: Node): void {
    switch (n.t) {
      case 'char':
        emit({ op: 'char', test: n.test });
        return;
      case 'bol':
        emit({ op: 'bol' });
        return;
      case 'eol':
        emit({ op: 'eol' });
        return;
      case 'group':
        emit({ op: 'save', n: 2 * n.index });
        gen(n.body);
        emit({ op: 'save', n: 2 * n.index + 1 });
        return;
      case 'cat':
        for (const x of n.items) gen(x);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let k = 0; k < n.items.length; k++) {
          if (k < n.items.length - 1) {
            const split = emit({ op: 'split', x: 0, y: 0 });
            (prog[split] as { x: number }).x = prog.length;
            gen(n.items[k]!);
            jumps.push(emit({ op: 'jmp', x: 0 }));
            (prog[split] as { y: number }).y = prog.length;
          } else gen(n.items[k]!);
        }
        for (const j of jumps) (prog[j] as { x: number }).x = prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) gen(n.body);
        if (n.max === Infinity) {
          const split = emit({ op: 'split', x: 0, y: 0 });
          (prog[split] as { x: number }).x = prog.length;
          gen(n.body);
          emit({ op: 'jmp', x: split });
          (prog[split] as { y: number }).y = prog.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            const split = emit({ op: 'split', x: 0, y: 0 });
            (prog[split] as { x: number }).x = prog.length;
            splits.push(split);
            gen(n.body);
          }
          for (const s of splits) (prog[s] as { y: number }).y = prog.length;
        }
        return;
      }
    }
  }
  emit({ op: 'save', n: 0 });
  gen(ast);
  emit({ op: 'save', n: 1 });
  emit({ op: 'match' });
  return { prog, groups };
}

interface Thread {
  pc: number;
  caps: Int32Array;
}

/**
 * Searches `input` for the leftmost match. Returns the capture strings ([0] = whole match, then
 * one per group, '' when a group did not take part) or null. `charge(n)` is called with the
 * amount of work done (thread steps), so the caller can enforce a budget by throwing.
 */
export function execRegex(re: CompiledRegex, input: string, charge: (work: number) => void): string[] | null {
  const chars = [...input];
  const n = chars.length;
  const { prog } = re;
  const slots = 2 * (re.groups + 1);
  let clist: Thread[] = [];
  let nlist: Thread[] = [];
  const mark = new Int32Array(prog.length).fill(-1);
  let matched: Int32Array | null = null;
  let work = 0;

  // Epsilon closure with an explicit stack (no recursion, so no stack overflow on long chains).
  const add = (list: Thread[], pc0: number, caps0: Int32Array, pos: number, gen: number): void => {
    const stack: Array<[number, Int32Array]> = [[pc0, caps0]];
    while (stack.length > 0) {
      const [pc, caps] = stack.pop()!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      work++;
      const ins = prog[pc]!;
      switch (ins.op) {
        case 'jmp':
          stack.push([ins.x, caps]);
          break;
        case 'split':
          // Push y first so x (the preferred branch) is explored first.
          stack.push([ins.y, caps]);
          stack.push([ins.x, caps]);
          break;
        case 'save': {
          const c = caps.slice();
          c[ins.n] = pos;
          stack.push([pc + 1, c]);
          break;
        }
        case 'bol':
          if (pos === 0) stack.push([pc + 1, caps]);
          break;
        case 'eol':
          if (pos === n) stack.push([pc + 1, caps]);
          break;
        default:
          list.push({ pc, caps });
      }
    }
  };

  let gen = 0;
  for (let pos = 0; pos <= n; pos++) {
    if (matched === null) add(clist, 0, new Int32Array(slots).fill(-1), pos, gen);
    gen++;
    if (clist.length === 0) break;
    const c = chars[pos];
    for (const th of clist) {
      work++;
      const ins = prog[th.pc]!;
      if (ins.op === 'match') {
        matched = th.caps;
        // Lower-priority threads are cut off: leftmost-first semantics.
        break;
      }
      if (ins.op === 'char' && c !== undefined && ins.test(c)) add(nlist, th.pc + 1, th.caps, pos + 1, gen);
    }
    if (work > 4096) {
      charge(work);
      work = 0;
    }
    [clist, nlist] = [nlist, []];
    if (clist.length === 0 && matched !== null) break;
  }
  charge(work);
  if (matched === null) return null;
  const out: string[] = [];
  for (let g = 0; g <= re.groups; g++) {
    const s = matched[2 * g]!;
    const e = matched[2 * g + 1]!;
    out.push(s >= 0 && e >= s ? chars.slice(s, e).join('') : '');
  }
  return out;
}
