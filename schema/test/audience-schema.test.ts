import { describe, expect, it } from 'vitest';
import { describeDefinitionIssues, parseAudienceDefinition } from '../src/audience-schema';
import { AUDIENCE_LIMITS } from '../src/audiences';

const bad = (definition: unknown) => {
  const result = parseAudienceDefinition(definition);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(definition)}`);
  return result.issues;
};

describe('audience definitions', () => {
  it('accepts every fact of contract section 7', () => {
    const definition = {
      all: [
        { fact: 'lifecycle', op: 'in', value: ['active', 'at_risk'] },
        { fact: 'country', op: 'eq', value: 'US' },
        { fact: 'region', op: 'in', value: ['California', 'Oregon'] },
        { fact: 'device', op: 'eq', value: 'mobile' },
        { fact: 'identified', op: 'eq', value: true },
        { fact: 'firstSeenDays', op: 'gte', value: 7 },
        { fact: 'lastSeenDays', op: 'lt', value: 30 },
        { fact: 'sessions', op: 'gt', value: 1 },
        { fact: 'orders', op: 'gte', value: 2 },
        { fact: 'revenue', op: 'gte', value: 500 },
        { fact: 'averageOrderValue', op: 'exists' },
        { fact: 'lastOrderDays', op: 'lte', value: 90 },
        { fact: 'rfm.recency', op: 'gte', value: 4 },
        { fact: 'rfm.frequency', op: 'eq', value: 5 },
        { fact: 'rfm.monetary', op: 'in', value: [4, 5] },
        { fact: 'interest', category: 'Outdoor > Tents', op: 'gte', value: 0.5 },
        { fact: 'viewedCategory', category: 'Tents', withinMinutes: 30, op: 'gte', value: 1 },
        { fact: 'purchased', productId: 'sku-1', withinDays: 30, op: 'eq', value: 0 },
        { fact: 'purchased', category: 'Data packs', op: 'eq', value: 0 },
        { fact: 'cartItems', op: 'gt', value: 0 },
        { fact: 'cartValue', op: 'gte', value: 50 },
        { fact: 'cartIdleMinutes', op: 'gte', value: 30 },
        { fact: 'reorderDueDays', op: 'lte', value: 3 },
        { fact: 'trait.email', op: 'exists' },
        { fact: 'trait.plan', op: 'in', value: ['pro', 'team'] },
        { fact: 'trait.age', op: 'gt', value: 30 },
        { not: { any: [{ fact: 'trait.address.city', op: 'eq', value: 'Paris' }] } },
      ],
    };
    const result = parseAudienceDefinition(definition);
    expect(result.ok ? 'ok' : describeDefinitionIssues(result.issues)).toBe('ok');
  });

  it('names the path of a bad value and the type it expects', () => {
    const issues = bad({
      all: [
        { fact: 'country', op: 'eq', value: 'US' },
        { fact: 'orders', op: 'gte', value: 1 },
        { fact: 'orders', op: 'gte', value: 'two' },
      ],
    });
    expect(issues).toEqual([{ path: 'definition.all[2].value', message: 'expected a number for "orders"' }]);
  });

  it('lists the operators a fact allows', () => {
    const [issue] = bad({ fact: 'country', op: 'gt', value: 'US' });
    expect(issue!.path).toBe('definition.op');
    expect(issue!.message).toBe('"gt" is not an operator of "country": use one of eq, neq, in, exists');
  });

  it('lists the facts when one is unknown', () => {
    const [issue] = bad({ any: [{ not: { fact: 'ordrs', op: 'gt', value: 1 } }] });
    expect(issue!.path).toBe('definition.any[0].not.fact');
    expect(issue!.message).toContain('unknown fact "ordrs"');
    expect(issue!.message).toContain('orders');
    expect(issue!.message).toContain('trait.NAME');
  });

  it('says which qualifiers a fact needs', () => {
    const [missing] = bad({ fact: 'viewedCategory', category: 'Tents', op: 'gte', value: 1 });
    expect(missing!.path).toBe('definition.withinMinutes');
    expect(missing!.message).toBe('"viewedCategory" needs "withinMinutes": it takes "category" (required), "withinMinutes" (required)');

    const [stray] = bad({ fact: 'orders', op: 'gt', value: 1, category: 'Tents' });
    expect(stray!.path).toBe('definition.category');
    expect(stray!.message).toBe('"category" is not part of a "orders" condition: it takes no qualifiers');

    const [neither] = bad({ fact: 'purchased', op: 'gt', value: 0 });
    expect(neither!.path).toBe('definition');
    expect(neither!.message).toContain('exactly one of "productId" or "category"');

    const [both] = bad({ fact: 'purchased', op: 'gt', value: 0, productId: 'a', category: 'b' });
    expect(both!.path).toBe('definition.category');
    expect(both!.message).toContain('not both');

    const [range] = bad({ fact: 'purchased', productId: 'a', withinDays: 400, op: 'gt', value: 0 });
    expect(range!.path).toBe('definition.withinDays');
    expect(range!.message).toContain('1 to 365');
  });

  it('checks enumerated values, scores and shares', () => {
    expect(bad({ fact: 'lifecycle', op: 'eq', value: 'dormant' })[0]).toEqual({
      path: 'definition.value',
      message: 'expected one of new, active, at_risk, sleeping, lapsed for "lifecycle"',
    });
    expect(bad({ fact: 'lifecycle', op: 'in', value: ['active', 'gone'] })[0]!.path).toBe('definition.value[1]');
    expect(bad({ fact: 'rfm.recency', op: 'eq', value: 6 })[0]!.message).toContain('score 1–5');
    expect(bad({ fact: 'interest', category: 'x', op: 'gt', value: 2 })[0]!.message).toContain('0 to 1');
    expect(bad({ fact: 'country', op: 'eq', value: 'France' })[0]!.message).toContain('ISO 3166-1 alpha-2');
    expect(bad({ fact: 'trait.age', op: 'gt', value: '30' })[0]!.message).toContain('order operator');
    expect(bad({ fact: 'identified', op: 'eq', value: 'yes' })[0]!.message).toBe('expected true or false for "identified"');
    expect(bad({ fact: 'orders', op: 'gt' })[0]).toEqual({ path: 'definition.value', message: '"orders" gt needs a "value"' });
    expect(bad({ fact: 'orders', op: 'exists', value: 1 })[0]!.message).toContain('"exists" takes true');
  });

  it('rejects shapes that are not conditions', () => {
    expect(bad([])[0]!.message).toContain('expected a condition');
    expect(bad({ all: [] })[0]).toEqual({ path: 'definition.all', message: '"all" takes at least one condition' });
    expect(bad({ any: { fact: 'orders' } })[0]!.message).toBe('"any" takes a list of conditions');
    expect(bad({ all: [{ fact: 'orders', op: 'gt', value: 1 }], any: [] })[0]).toEqual({
      path: 'definition.any',
      message:
        '"any" cannot sit beside "all": a condition is exactly one of {"all": [conditions]}, {"any": [conditions]}, {"not": condition} or {"fact", "op", "value"}',
    });
    expect(bad({ all: [1] })[0]!.path).toBe('definition.all[0]');
    expect(bad({ fact: 'trait.', op: 'exists' })[0]!.message).toContain('unknown fact');
  });

  it('bounds nesting and size without walking deep input recursively', () => {
    let deep: unknown = { fact: 'orders', op: 'gt', value: 0 };
    for (let i = 0; i < 10_000; i++) deep = { not: deep };
    const [tooDeep] = bad(deep);
    expect(tooDeep!.message).toBe(`conditions nest at most ${AUDIENCE_LIMITS.maxDepth} levels deep`);
    expect(tooDeep!.path).toBe(`definition${'.not'.repeat(AUDIENCE_LIMITS.maxDepth)}`);

    const leaf = { fact: 'orders', op: 'gt', value: 0 };
    const wide = { all: Array.from({ length: 40 }, () => ({ any: [leaf, leaf, leaf] })) };
    expect(bad(wide)[0]!.message).toBe(`a definition holds at most ${AUDIENCE_LIMITS.maxConditions} conditions`);

    const long = { any: Array.from({ length: AUDIENCE_LIMITS.maxListLength + 1 }, () => leaf) };
    expect(bad(long)[0]!.message).toContain(`at most ${AUDIENCE_LIMITS.maxListLength} conditions`);
  });

  it('reports every bad part at once', () => {
    const issues = bad({
      all: [
        { fact: 'orders', op: 'gt', value: 'x' },
        { fact: 'device', op: 'eq', value: 'phone' },
      ],
    });
    expect(issues.map((i) => i.path)).toEqual(['definition.all[0].value', 'definition.all[1].value']);
  });

  it('takes the root name of the field holding the definition', () => {
    const result = parseAudienceDefinition({ fact: 'orders', op: 'gt', value: 'x' }, 'body.definition');
    expect(!result.ok && result.issues[0]!.path).toBe('body.definition.value');
  });
});
