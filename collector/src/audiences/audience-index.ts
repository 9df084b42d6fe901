/**
 * The audiences a profile host knows, indexed so that one event costs work
 * for the audiences a shopper is near, not for all of them.
 *
 * Two filters:
 * - Guards. A definition whose top level requires a static fact to take
 *   given values (`region eq "Bavaria"`, `country in ["FR","BE"]`,
 *   `trait.plan eq "pro"`, `identified eq true`, as the definition itself or
 *   one part of a top-level `all`) can only hold for profiles with those
 *   values; such audiences are filed under each value and looked up by the
 *   profile's own value. The rest are candidates for every profile.
 * - Fact groups. An event re-evaluates an audience only if it may have
 *   changed a group of facts the audience reads (fact-groups.ts).
 * Audiences the profile is already a member of are always candidates (so
 * it can leave them), subject to the same fact-group filter.
 */
import type { FactScalar } from '@trailmark/schema';
import { keyOf, type CompiledCondition, type Leaf } from './condition';
import type { ProfileFacts } from './facts';

export interface Audience {
  id: string;
  compiled: CompiledCondition;
  /** The static condition every member meets, and the value keys (condition.ts keyOf) it accepts. */
  guard?: { leaf: Leaf; keys: string[] };
}

/** Static facts worth indexing, the more selective first. */
const GUARD_FACTS = ['region', 'country', 'device', 'identified'];
const guardRank = (fact: string) => (fact.startsWith('trait.') ? 1.5 : GUARD_FACTS.indexOf(fact));

function guardOf(compiled: CompiledCondition): Audience['guard'] {
  const root = compiled.root;
  const parts = root.kind === 'all' ? root.children : [root];
  const options = parts
    .filter((node): node is Leaf => node.kind === 'leaf')
    .filter(
      (leaf) =>
        (leaf.condition.op === 'eq' || leaf.condition.op === 'in') && (GUARD_FACTS.includes(leaf.condition.fact) || leaf.condition.fact.startsWith('trait.')),
    )
    .map((leaf) => ({
      leaf,
      keys: [...new Set((Array.isArray(leaf.condition.value) ? leaf.condition.value : [leaf.condition.value as FactScalar]).map(keyOf))],
    }))
    .sort((a, b) => a.keys.length - b.keys.length || guardRank(a.leaf.condition.fact) - guardRank(b.leaf.condition.fact));
  return options[0];
}

export class AudienceIndex {
  private readonly byId = new Map<string, Audience>();
  /** fact → value key → audiences guarded by it. */
  private readonly guarded = new Map<string, Map<string, Audience[]>>();
  private readonly unguarded: Audience[] = [];

  constructor(audiences: Iterable<{ id: string; compiled: CompiledCondition }>) {
    for (const { id, compiled } of audiences) {
      const audience: Audience = { id, compiled, guard: guardOf(compiled) };
      this.byId.set(id, audience);
      if (!audience.guard) {
        this.unguarded.push(audience);
        continue;
      }
      const fact = audience.guard.leaf.condition.fact;
      let byKey = this.guarded.get(fact);
      if (!byKey) this.guarded.set(fact, (byKey = new Map()));
      for (const key of audience.guard.keys) {
        const list = byKey.get(key);
        if (list) list.push(audience);
        else byKey.set(key, [audience]);
      }
    }
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Audience | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<Audience> {
    return this.byId.values();
  }

  /**
   * The audiences whose membership may have changed for this profile when the
   * fact groups `changed` did: those whose guard its facts meet, plus those it
   * is a member of, that read any of `changed`. `complete`: no audience left
   * out for reading other groups could change with the clock alone.
   */
  candidates(facts: ProfileFacts, changed: number, memberOf: Iterable<string>): { audiences: Audience[]; complete: boolean } {
    const out = new Map<string, Audience>();
    // Whether every audience that can change with the clock for this profile is among them (then its due time can be recomputed exactly).
    let complete = true;
    const add = (audience: Audience) => {
      if (audience.compiled.groups & changed) out.set(audience.id, audience);
      else if (audience.compiled.timed) complete = false;
    };
    for (const audience of this.unguarded) add(audience);
    for (const byKey of this.guarded.values()) {
      const [first] = byKey.values();
      // Every audience under one fact reads it the same way: the first one's reader gives the profile's value.
      const value = first?.[0]?.guard?.leaf.reader.read(facts, 0);
      if (value === undefined) continue;
      for (const audience of byKey.get(keyOf(value)) ?? []) add(audience);
    }
    for (const id of memberOf) {
      const audience = this.byId.get(id);
      if (audience) add(audience);
    }
    return { audiences: [...out.values()], complete };
  }
}
