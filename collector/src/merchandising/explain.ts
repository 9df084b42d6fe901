/**
 * Why a slot's answer is what it is, for the merchandiser (`explain`):
 * which rules applied and which did not (with why), where each shown item
 * would stand without rules and which rules put it there, what rules took
 * out of the answer, and pins that could not be placed. Built by comparing
 * the answer with the slot's own answer without rules. Pure: tested beside.
 */
import type { ExplainedItem, RecommendationExplain, RecommendedItem, Rule, RuleNotApplied } from '@trailmark/schema';
import type { UnplacedPin } from './merchandise';
import { pinsOf, ruleTargets } from './rules';

export interface ExplainInput {
  items: readonly RecommendedItem[];
  /** The slot's own answer for the same request, without rules. */
  withoutRules: readonly RecommendedItem[];
  applied: readonly Rule[];
  notApplied: readonly RuleNotApplied[];
  unplacedPins: readonly UnplacedPin[];
  categoryOf: (productId: string) => string | undefined;
}

export function explainAnswer(input: ExplainInput): RecommendationExplain {
  const { applied, categoryOf } = input;
  const pins = pinsOf(applied);
  const pinRule = new Map(pins.map((p) => [p.productId, p.rule]));
  const before = new Map(input.withoutRules.map((item, i) => [item.productId, i + 1]));
  const targeting = (productId: string, actions: readonly Rule['action'][]) =>
    applied.filter((rule) => actions.includes(rule.action) && ruleTargets(rule, productId, categoryOf(productId))).map((rule) => rule.id);

  const items: ExplainedItem[] = input.items.map((item, i) => ({
    productId: item.productId,
    position: i + 1,
    reason: item.reason,
    withoutRules: before.get(item.productId) ?? null,
    rules: item.reason === 'pinned' ? [pinRule.get(item.productId)!] : targeting(item.productId, ['boost', 'bury']),
  }));

  const shown = new Set(input.items.map((i) => i.productId));
  // Rules that took places: pins, and boosts of items that moved up.
  const displacing = [...new Set(items.filter((i) => i.reason === 'pinned' || i.reason === 'promoted').flatMap((i) => i.rules))];
  const removed = input.withoutRules.flatMap((item, i) => {
    if (shown.has(item.productId)) return [];
    const excluding = targeting(item.productId, ['exclude']);
    if (excluding.length) return [{ productId: item.productId, withoutRules: i + 1, because: 'excluded', rules: excluding }];
    const burying = targeting(item.productId, ['bury']);
    if (burying.length) return [{ productId: item.productId, withoutRules: i + 1, because: 'buried past the limit', rules: burying }];
    return [{ productId: item.productId, withoutRules: i + 1, because: 'moved past the limit by pinned or promoted items', rules: displacing }];
  });

  // A product pinned by several rules is placed by the first (by position, then id).
  const duplicates = applied
    .filter((rule) => rule.action === 'pin')
    .flatMap((rule) =>
      (rule.products ?? []).flatMap((productId, i) => {
        const winner = pins.find((p) => p.productId === productId)!;
        return winner.rule === rule.id
          ? []
          : [{ rule: rule.id, productId, position: (rule.position ?? 1) + i, because: `pinned by rule ${winner.rule} at position ${winner.position}` }];
      }),
    );

  return {
    applied: applied.map((rule) => ({ id: rule.id, action: rule.action })),
    notApplied: [...input.notApplied],
    items,
    withoutRules: input.withoutRules.map((item) => ({ productId: item.productId, reason: item.reason })),
    removed,
    unplacedPins: [...input.unplacedPins, ...duplicates],
  };
}
