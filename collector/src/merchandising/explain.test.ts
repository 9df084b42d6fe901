import type { RecommendedItem, Rule } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { explainAnswer } from './explain';

const rule = (id: string, fields: Partial<Rule> & Pick<Rule, 'action'>): Rule => ({ id, slots: ['*'], createdAt: 't', updatedAt: 't', ...fields });
const item = (productId: string, reason = 'popular'): RecommendedItem => ({ productId, name: productId, score: 0, reason });
const category = (id: string) => (id.startsWith('tent') ? 'Outdoor > Tents' : 'Kitchen');

describe('explaining an answer', () => {
  const applied = [
    rule('no-tents', { action: 'exclude', category: 'Outdoor' }),
    rule('pan-up', { action: 'boost', products: ['pan'], factor: 3 }),
    rule('pot-down', { action: 'bury', products: ['pot'], factor: 0.1 }),
    rule('lamp-first', { action: 'pin', products: ['lamp'], position: 1 }),
    rule('lamp-again', { action: 'pin', products: ['lamp'], position: 3 }),
  ];
  const withoutRules = ['tent-1', 'pot', 'knife', 'board', 'pan'].map((id) => item(id));
  const items = [item('lamp', 'pinned'), item('knife'), item('pan', 'promoted'), item('board'), item('whisk')];
  const explained = explainAnswer({
    items,
    withoutRules,
    applied,
    notApplied: [{ id: 'texas', action: 'pin', because: 'when.region: the visitor is in DE/Bavaria' }],
    unplacedPins: [],
    categoryOf: category,
  });

  it('gives each item its place with and without rules, and the rules that put it there', () => {
    expect(explained.items).toEqual([
      { productId: 'lamp', position: 1, reason: 'pinned', withoutRules: null, rules: ['lamp-first'] },
      { productId: 'knife', position: 2, reason: 'popular', withoutRules: 3, rules: [] },
      { productId: 'pan', position: 3, reason: 'promoted', withoutRules: 5, rules: ['pan-up'] },
      { productId: 'board', position: 4, reason: 'popular', withoutRules: 4, rules: [] },
      { productId: 'whisk', position: 5, reason: 'popular', withoutRules: null, rules: [] },
    ]);
    expect(explained.withoutRules.map((i) => i.productId)).toEqual(['tent-1', 'pot', 'knife', 'board', 'pan']);
  });

  it('says what rules took out, and why', () => {
    expect(explained.removed).toEqual([
      { productId: 'tent-1', withoutRules: 1, because: 'excluded', rules: ['no-tents'] },
      { productId: 'pot', withoutRules: 2, because: 'buried past the limit', rules: ['pot-down'] },
    ]);
  });

  it('lists the rules that applied, the others with why not, and a product pinned twice', () => {
    expect(explained.applied.map((r) => r.id)).toEqual(['no-tents', 'pan-up', 'pot-down', 'lamp-first', 'lamp-again']);
    expect(explained.notApplied).toEqual([{ id: 'texas', action: 'pin', because: 'when.region: the visitor is in DE/Bavaria' }]);
    expect(explained.unplacedPins).toEqual([{ rule: 'lamp-again', productId: 'lamp', position: 3, because: 'pinned by rule lamp-first at position 1' }]);
  });

  it('names the pins and boosts that pushed an item past the limit', () => {
    const out = explainAnswer({
      items: [item('lamp', 'pinned'), item('a')],
      withoutRules: [item('a'), item('b')],
      applied: [applied[3]!],
      notApplied: [],
      unplacedPins: [],
      categoryOf: category,
    });
    expect(out.removed).toEqual([{ productId: 'b', withoutRules: 2, because: 'moved past the limit by pinned or promoted items', rules: ['lamp-first'] }]);
  });
});
