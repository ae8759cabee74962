/**
 * The registry of everything a script may name: commands, tests, tags, comparators, match types,
 * address parts, set modifiers and variable namespaces, built once from the extension list
 * (extensions/all.ts). See extensions/extension.ts for the contract.
 *
 * Invariants:
 * - Built at module load and never mutated afterwards (compiled scripts hold definitions).
 * - A name defined twice is a programming error and throws at load time.
 */
import type {
  AddressPartDef,
  CommandDef,
  ComparatorDef,
  MatchTypeDef,
  NamespaceDef,
  SetModifierDef,
  SieveExtension,
  TagDef,
} from './extensions/extension.js';
import { ALL_EXTENSIONS } from './extensions/all.js';

export class Registry {
  readonly commands = new Map<string, CommandDef>();
  readonly tests = new Map<string, CommandDef>();
  readonly extraTags = new Map<string, TagDef[]>();
  readonly matchTypes = new Map<string, MatchTypeDef>();
  readonly comparators = new Map<string, ComparatorDef>();
  readonly addressParts = new Map<string, AddressPartDef>();
  readonly setModifiers = new Map<string, SetModifierDef>();
  readonly namespaces = new Map<string, NamespaceDef>();
  readonly capabilities: string[] = [];
  private readonly tagCache = new Map<CommandDef, Map<string, TagDef>>();

  constructor(readonly extensions: readonly SieveExtension[]) {
    const once = <T>(map: Map<string, T>, key: string, v: T, what: string): void => {
      if (map.has(key)) throw new Error(`sieve registry: ${what} '${key}' defined twice`);
      map.set(key, v);
    };
    for (const ext of extensions) {
      for (const c of ext.capabilities) if (!this.capabilities.includes(c)) this.capabilities.push(c);
      for (const d of ext.commands ?? []) once(this.commands, d.name, d, 'command');
      for (const d of ext.tests ?? []) once(this.tests, d.name, d, 'test');
      for (const t of ext.tags ?? []) {
        const key = `${t.kind}:${t.target}`;
        this.extraTags.set(key, [...(this.extraTags.get(key) ?? []), t.tag]);
      }
      for (const m of ext.matchTypes ?? []) once(this.matchTypes, m.tag.name, m, 'match type');
      for (const c of ext.comparators ?? []) once(this.comparators, c.name, c, 'comparator');
      for (const a of ext.addressParts ?? []) once(this.addressParts, a.tag.name, a, 'address part');
      for (const s of ext.setModifiers ?? []) once(this.setModifiers, s.name, s, 'set modifier');
      for (const n of ext.namespaces ?? []) once(this.namespaces, n.prefix, n, 'namespace');
    }
  }

  /** Every tag a definition accepts: its own, those other extensions added, its groups'. */
  tagsFor(def: CommandDef): Map<string, TagDef> {
    const cached = this.tagCache.get(def);
    if (cached !== undefined) return cached;
    const out = new Map<string, TagDef>();
    this.tagCache.set(def, out);
    for (const t of def.tags ?? []) out.set(t.name, t);
    for (const t of this.extraTags.get(`${def.kind}:${def.name}`) ?? []) out.set(t.name, t);
    for (const g of def.groups ?? []) {
      if (g === 'comparator') out.set('comparator', COMPARATOR_TAG);
      if (g === 'match-type') for (const m of this.matchTypes.values()) out.set(m.tag.name, m.tag);
      if (g === 'address-part') for (const a of this.addressParts.values()) out.set(a.tag.name, a.tag);
      if (g === 'set-modifier') for (const m of this.setModifiers.values()) out.set(m.name, { name: m.name, capability: m.capability });
    }
    return out;
  }
}

export const COMPARATOR_TAG: TagDef = {
  name: 'comparator',
  group: 'comparator',
  args: [{ kind: 'string', name: 'comparator name', constant: true }],
};

export const REGISTRY = new Registry(ALL_EXTENSIONS);
