/**
 * The THREAD algorithms of RFC 5256 §3 over plain per-message data: ORDEREDSUBJECT and
 * REFERENCES (steps 1-6), REFS (draft-ietf-morg-inthread §4, as Dovecot implements it:
 * REFERENCES without the subject merge of step 5, the threads ordered by their most recent
 * message), plus the thread-list encoding of RFC 5256 §4 / §5 ABNF.
 *
 * Invariants:
 * - Pure: input is the searched messages in ascending sequence order; output is a forest whose
 *   real nodes carry the number to print (sequence number, or UID for UID THREAD).
 * - Sent-date ties are broken by sequence number (RFC 5256 §2.2); a dummy sorts as its first
 *   child (steps 4 and 6).
 * - No recursion over the tree: chains can be as long as the mailbox, so every traversal is
 *   iterative.
 * - Subjects are compared as i;unicode-casemap keys (RFC 5256 §7), prepared by the caller.
 */

import { compareCasemapKeys } from '../../mime/index.js';

export interface ThreadMessage {
  /** The number printed in the response. */
  id: number;
  /** Sequence number: the tie-breaker and the "first message" order. */
  seq: number;
  /** Sent date, ms since the epoch (RFC 5256 §2.2). */
  sent: number;
  /** Casemap key of the base subject ("" when empty). */
  subject: string;
  replyOrForward: boolean;
  /** Normalized Message-ID, null when absent or invalid. */
  messageId: string | null;
  /** References (or the In-Reply-To fallback), normalized, oldest first. */
  references: string[];
}

export interface ThreadNode {
  /** null for a dummy (a message referenced but not present). */
  msg: ThreadMessage | null;
  parent: ThreadNode | null;
  children: ThreadNode[];
}

function node(msg: ThreadMessage | null): ThreadNode {
  return { msg, parent: null, children: [] };
}

/** Sort key of a node: its message, or a dummy's first child's (children sorted already). */
function keyMsg(n: ThreadNode): ThreadMessage | null {
  let x: ThreadNode | undefined = n;
  while (x !== undefined && x.msg === null) x = x.children[0];
  return x?.msg ?? null;
}

function bySent(a: ThreadNode, b: ThreadNode): number {
  const x = keyMsg(a);
  const y = keyMsg(b);
  if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
  return x.sent - y.sent || x.seq - y.seq;
}

/** Every node below `roots`, parents before children (breadth first). */
function descendants(roots: readonly ThreadNode[]): ThreadNode[] {
  const out: ThreadNode[] = [];
  const queue = [...roots];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    out.push(n);
    for (const c of n.children) queue.push(c);
  }
  return out;
}

/**
 * ORDEREDSUBJECT (RFC 5256 §3): sort by base subject then sent date; each run of one subject is
 * a thread whose first message is the parent of all the others; threads ordered by the sent
 * date of their first message.
 */
export function orderedSubject(messages: readonly ThreadMessage[]): ThreadNode[] {
  const sorted = [...messages].sort((a, b) => compareCasemapKeys(a.subject, b.subject) || a.sent - b.sent || a.seq - b.seq);
  const threads: ThreadNode[] = [];
  let head: ThreadNode | null = null;
  for (const m of sorted) {
    if (head !== null && head.msg!.subject === m.subject) {
      const child = node(m);
      child.parent = head;
      head.children.push(child);
    } else {
      head = node(m);
      threads.push(head);
    }
  }
  return threads.sort(bySent);
}

/** true when `a` is `b` or one of its descendants. */
function isDescendantOrSelf(a: ThreadNode, b: ThreadNode): boolean {
  for (let x: ThreadNode | null = a; x !== null; x = x.parent) if (x === b) return true;
  return false;
}

function unlink(child: ThreadNode): void {
  const p = child.parent;
  if (p === null) return;
  const i = p.children.indexOf(child);
  if (i >= 0) p.children.splice(i, 1);
  child.parent = null;
}

function link(parent: ThreadNode, child: ThreadNode): void {
  child.parent = parent;
  parent.children.push(child);
}

/**
 * REFERENCES (RFC 5256 §3, steps 1-6), or with `refs` the REFS variant: step 5 is skipped and
 * the threads are ordered by the sent date of their newest message (ties: the earlier sequence
 * number of that message), so the thread with the latest activity comes last.
 */
export function referencesThreads(messages: readonly ThreadMessage[], refs = false): ThreadNode[] {
  // (1) link messages through their references; dummies for IDs not present.
  const byId = new Map<string, ThreadNode>();
  const all: ThreadNode[] = [];
  const lookup = (id: string): ThreadNode => {
    let n = byId.get(id);
    if (n === undefined) {
      n = node(null);
      byId.set(id, n);
      all.push(n);
    }
    return n;
  };
  const sorted = [...messages].sort((a, b) => a.seq - b.seq);
  for (const m of sorted) {
    let self: ThreadNode;
    const existing = m.messageId === null ? undefined : byId.get(m.messageId);
    if (existing !== undefined && existing.msg === null) {
      existing.msg = m; // the dummy created by an earlier reference becomes this message
      self = existing;
    } else {
      // No ID, or a duplicate of a present message's ID: a unique ID (not in the table).
      self = node(m);
      all.push(self);
      if (existing === undefined && m.messageId !== null) byId.set(m.messageId, self);
    }
    // (1.A) each reference is the parent of the next; existing links are kept; no loops.
    const refs = m.references.map(lookup);
    for (let i = 0; i + 1 < refs.length; i++) {
      const parent = refs[i]!;
      const child = refs[i + 1]!;
      if (child.parent === null && !isDescendantOrSelf(parent, child)) link(parent, child);
    }
    // (1.B) the last reference becomes this message's parent, replacing any earlier link.
    const last = refs.length > 0 ? refs[refs.length - 1]! : null;
    if (self.parent !== last) {
      unlink(self);
      if (last !== null && !isDescendantOrSelf(last, self)) link(last, self);
    }
  }
  // (2) the parentless nodes are the root's children.
  let roots = all.filter((n) => n.parent === null);
  // (3) prune dummies, deepest first: below the root a dummy is replaced by its children; at the
  // root a dummy is dropped when childless and replaced only when it has exactly one child.
  const order = descendants(roots);
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (n.children.length === 0) continue;
    const kept: ThreadNode[] = [];
    for (const c of n.children) {
      if (c.msg !== null) kept.push(c);
      else for (const g of c.children) kept.push(g);
    }
    for (const c of kept) c.parent = n;
    n.children = kept;
  }
  const top: ThreadNode[] = [];
  for (const n of roots) {
    if (n.msg !== null || n.children.length > 1) top.push(n);
    else if (n.children.length === 1) top.push(n.children[0]!);
  }
  roots = top;
  for (const n of roots) n.parent = null;
  // (4) sort the top level by sent date (a dummy by its children's earliest).
  for (const n of roots) if (n.msg === null) n.children.sort(bySent);
  roots.sort(bySent);
  // (5) group top-level threads by base subject (not in REFS).
  if (!refs) roots = mergeBySubject(roots);
  // (6) sort every set of siblings, youngest generation first.
  const final = descendants(roots);
  for (let i = final.length - 1; i >= 0; i--) final[i]!.children.sort(bySent);
  return refs ? byNewest(roots) : roots.sort(bySent);
}

/** REFS thread order: by each thread's newest message (sent date, then sequence number). */
function byNewest(roots: ThreadNode[]): ThreadNode[] {
  const newest = new Map<ThreadNode, ThreadMessage>();
  for (const root of roots) {
    let best: ThreadMessage | null = null;
    for (const n of descendants([root])) {
      const m = n.msg;
      if (m !== null && (best === null || m.sent > best.sent || (m.sent === best.sent && m.seq > best.seq))) best = m;
    }
    if (best !== null) newest.set(root, best);
  }
  return roots.sort((a, b) => {
    const x = newest.get(a)!;
    const y = newest.get(b)!;
    return x.sent - y.sent || x.seq - y.seq;
  });
}

function threadSubject(n: ThreadNode): string {
  return (n.msg ?? n.children[0]?.msg)?.subject ?? '';
}

/** Step 5: the subject table (5.B) and the merge (5.C). */
function mergeBySubject(roots: ThreadNode[]): ThreadNode[] {
  const table = new Map<string, ThreadNode>();
  for (const n of roots) {
    const subject = threadSubject(n);
    if (subject === '') continue;
    const t = table.get(subject);
    if (t === undefined) table.set(subject, n);
    else if (t.msg !== null && (n.msg === null || (t.msg.replyOrForward && !n.msg.replyOrForward))) table.set(subject, n);
  }
  const removed = new Set<ThreadNode>();
  const replaced = new Map<ThreadNode, ThreadNode>(); // table message -> new dummy at its place
  for (const n of roots) {
    if (removed.has(n)) continue;
    const subject = threadSubject(n);
    if (subject === '') continue;
    const t = table.get(subject)!;
    if (t === n) continue;
    if (t.msg === null && n.msg === null) {
      for (const c of n.children) link(t, c);
      n.children = [];
      removed.add(n);
    } else if (t.msg === null || (n.msg!.replyOrForward && !t.msg.replyOrForward)) {
      link(t, n);
      removed.add(n);
    } else {
      const dummy = node(null);
      replaced.set(t, dummy);
      link(dummy, t);
      link(dummy, n);
      removed.add(n);
      table.set(subject, dummy);
    }
  }
  const out: ThreadNode[] = [];
  for (const n of roots) {
    if (removed.has(n)) continue;
    let x = n;
    for (let r = replaced.get(x); r !== undefined; r = replaced.get(x)) x = r;
    out.push(x);
  }
  return out;
}

/**
 * The "* THREAD" payload (RFC 5256 §5 thread-list): a node with one child continues the same
 * list ("3 6 ..."), two or more children become nested lists ("(4 23)(44 7 96)").
 */
export function encodeThreads(roots: readonly ThreadNode[]): string {
  let out = '';
  // Explicit stack of pending output: a node to encode, or a literal string.
  const stack: Array<ThreadNode | string> = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(')', roots[i]!, '(');
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out += item;
      continue;
    }
    let n = item;
    let members = '';
    for (;;) {
      if (n.msg !== null) members += members === '' ? String(n.msg.id) : ` ${n.msg.id}`;
      if (n.children.length !== 1) break;
      n = n.children[0]!;
    }
    out += members;
    if (n.children.length > 1) {
      if (members !== '') out += ' ';
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(')', n.children[i]!, '(');
    }
  }
  return out;
}
