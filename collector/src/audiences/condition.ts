/**
 * Evaluating a definition: whether a profile is a member now, and the
 * earliest moment its membership can change with no new event.
 *
 * The next change of a fact condition is the first of its reader's change
 * times at which its truth differs from now (facts.ts). Combinations give a
 * lower bound, never a later moment than the real change:
 * - `not` changes when its condition does;
 * - `all` that holds, and `any` that does not, change at the first change
 *   of any part;
 * - `all` that fails can only start to hold once every failing part has
 *   changed, so not before the latest of their next changes (a failing part
 *   that never changes, like `country eq "FR"` for a shopper in Spain, keeps
 *   it failing for good); `any` that holds, symmetrically, not before the
 *   latest next change of its holding parts.
 * A wake-up at a lower bound may find nothing changed; it then computes the
 * next one from there. Scanning a reader's change times stops after
 * MAX_SCAN candidates and returns the last one, early rather than late.
 */
import type { Condition, FactCondition, FactScalar } from '@trailmark/schema';
import { factReader, type FactReader, type FactValue, type ProfileFacts } from './facts';
import { factGroups } from './fact-groups';

const MAX_SCAN = 64;

export interface Leaf {
  kind: 'leaf';
  condition: FactCondition;
  reader: FactReader;
  test(value: FactValue): boolean;
}

export type Node = Leaf | { kind: 'all' | 'any'; children: Node[]; timed: boolean } | { kind: 'not'; child: Node };

export interface CompiledCondition {
  definition: Condition;
  root: Node;
  /** Fact groups (fact-groups.ts) the definition reads: only changes to these can change membership. */
  groups: number;
  /** Whether membership can change with the clock alone. */
  timed: boolean;
}

/** Scalars compared by type; strings without regard to case. */
export const keyOf = (v: FactScalar) => (typeof v === 'string' ? `s:${v.toLowerCase()}` : typeof v === 'number' ? `n:${v}` : `b:${v}`);

function compileTest(leaf: FactCondition): (value: FactValue) => boolean {
  const { op, value } = leaf;
  switch (op) {
    case 'exists': {
      const wanted = value === undefined ? true : value === true;
      return (v) => (v !== undefined) === wanted;
    }
    case 'in': {
      const keys = new Set((value as FactScalar[]).map(keyOf));
      return (v) => v !== undefined && keys.has(keyOf(v));
    }
    case 'eq': {
      const key = keyOf(value as FactScalar);
      return (v) => v !== undefined && keyOf(v) === key;
    }
    case 'neq': {
      const key = keyOf(value as FactScalar);
      return (v) => v === undefined || keyOf(v) !== key;
    }
    case 'gt':
      return (v) => typeof v === 'number' && v > (value as number);
    case 'gte':
      return (v) => typeof v === 'number' && v >= (value as number);
    case 'lt':
      return (v) => typeof v === 'number' && v < (value as number);
    case 'lte':
      return (v) => typeof v === 'number' && v <= (value as number);
  }
}

function compileNode(condition: Condition): Node {
  if ('all' in condition || 'any' in condition) {
    const children = ('all' in condition ? condition.all : condition.any).map(compileNode);
    return { kind: 'all' in condition ? 'all' : 'any', children, timed: children.some(isTimed) };
  }
  if ('not' in condition) return { kind: 'not', child: compileNode(condition.not) };
  return { kind: 'leaf', condition, reader: factReader(condition), test: compileTest(condition) };
}

/** Whether a part can change with the clock alone (a reader with change times below it). */
function isTimed(node: Node): boolean {
  if (node.kind === 'leaf') return node.reader.changeTimes !== undefined;
  if (node.kind === 'not') return isTimed(node.child);
  return node.timed;
}

function leaves(node: Node): Leaf[] {
  if (node.kind === 'leaf') return [node];
  if (node.kind === 'not') return leaves(node.child);
  return node.children.flatMap(leaves);
}

/** The facts a definition reads (`rfm.recency`, `trait.email`…). */
export function factsRead(definition: Condition): Set<string> {
  const facts = new Set<string>();
  const walk = (c: Condition): void => {
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('not' in c) walk(c.not);
    else facts.add(c.fact);
  };
  walk(definition);
  return facts;
}

/** Compiles a validated definition (see parseAudienceDefinition in @trailmark/schema/audience-schema). */
export function compileCondition(definition: Condition): CompiledCondition {
  const root = compileNode(definition);
  const all = leaves(root);
  return {
    definition,
    root,
    groups: all.reduce((groups, leaf) => groups | factGroups(leaf.condition.fact), 0),
    timed: isTimed(root),
  };
}

function holds(node: Node, facts: ProfileFacts, now: number): boolean {
  switch (node.kind) {
    case 'leaf':
      return node.test(node.reader.read(facts, now));
    case 'not':
      return !holds(node.child, facts, now);
    case 'all':
      return node.children.every((child) => holds(child, facts, now));
    case 'any':
      return node.children.some((child) => holds(child, facts, now));
  }
}

function leafNextChange(leaf: Leaf, facts: ProfileFacts, now: number, current: boolean): number {
  if (!leaf.reader.changeTimes) return Infinity;
  const times = leaf.reader.changeTimes(facts, now);
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (leaf.test(leaf.reader.read(facts, t)) !== current || i === MAX_SCAN - 1) return t;
  }
  return Infinity;
}

/** Truth now and a lower bound of the next moment it can change (Infinity: not without an event). */
function run(node: Node, facts: ProfileFacts, now: number): { holds: boolean; next: number } {
  switch (node.kind) {
    case 'leaf': {
      const current = node.test(node.reader.read(facts, now));
      return { holds: current, next: leafNextChange(node, facts, now, current) };
    }
    case 'not': {
      const inner = run(node.child, facts, now);
      return { holds: !inner.holds, next: inner.next };
    }
    case 'all':
    case 'any': {
      // The value that settles the combination: a failing part for all, a holding part for any.
      const settling = node.kind === 'any';
      // A part that never changes with the clock has no next change (Infinity): its change times are not looked for.
      const nextOf = (child: Node) => (isTimed(child) ? run(child, facts, now).next : Infinity);
      const settled = node.children.filter((child) => holds(child, facts, now) === settling);
      if (settled.length === 0) return { holds: !settling, next: Math.min(...node.children.map(nextOf)) };
      // Settled by a part that stays settled: so does the combination.
      if (settled.some((child) => !isTimed(child))) return { holds: settling, next: Infinity };
      return { holds: settling, next: Math.max(...settled.map(nextOf)) };
    }
  }
}

/** Membership now. */
export function isMember(compiled: CompiledCondition, facts: ProfileFacts, now: number): boolean {
  return holds(compiled.root, facts, now);
}

/** Membership now and the earliest moment after `now` it can change with no new event (Infinity: never). */
export function membership(compiled: CompiledCondition, facts: ProfileFacts, now: number): { member: boolean; next: number } {
  if (!compiled.timed) return { member: holds(compiled.root, facts, now), next: Infinity };
  const result = run(compiled.root, facts, now);
  return { member: result.holds, next: result.next };
}

const compiledDefinitions = new WeakMap<Condition, CompiledCondition>();
const compiled = (definition: Condition) => {
  let c = compiledDefinitions.get(definition);
  if (!c) compiledDefinitions.set(definition, (c = compileCondition(definition)));
  return c;
};

/** Whether the profile behind `facts` is a member of `definition` at `now`. */
export function evaluate(definition: Condition, facts: ProfileFacts, now: number): boolean {
  return isMember(compiled(definition), facts, now);
}

/** The earliest moment after `now` at which membership can change with no new event, or undefined when it cannot. */
export function nextChange(definition: Condition, facts: ProfileFacts, now: number): number | undefined {
  const next = membership(compiled(definition), facts, now).next;
  return Number.isFinite(next) ? next : undefined;
}
