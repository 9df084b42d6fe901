import { describe, expect, it } from 'vitest';
import { campaignGroup, inGlobalHoldout } from './assignment';

const ids = Array.from({ length: 20_000 }, (_, i) => `p${i.toString(36)}-${(i * 7919).toString(16)}`);

describe('campaignGroup', () => {
  it('is deterministic', () => {
    for (const id of ids.slice(0, 100)) expect(campaignGroup('c1', id, 50)).toBe(campaignGroup('c1', id, 50));
  });

  it('splits by the holdout share, within sampling error', () => {
    for (const holdout of [10, 50, 90]) {
      const control = ids.filter((id) => campaignGroup('spring', id, holdout) === 'control').length / ids.length;
      // 4 standard errors of a share from 20,000 draws.
      expect(Math.abs(control - holdout / 100)).toBeLessThan(4 * Math.sqrt(((holdout / 100) * (1 - holdout / 100)) / ids.length));
    }
  });

  it('puts nobody in control at 0% and is monotone in the share', () => {
    expect(ids.some((id) => campaignGroup('c', id, 0) === 'control')).toBe(false);
    for (const id of ids.slice(0, 500)) if (campaignGroup('c', id, 20) === 'control') expect(campaignGroup('c', id, 40)).toBe('control');
  });

  it('assigns independently across campaigns', () => {
    const both = ids.filter((id) => campaignGroup('a', id, 50) === 'control' && campaignGroup('b', id, 50) === 'control').length / ids.length;
    expect(Math.abs(both - 0.25)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / ids.length));
  });
});

describe('inGlobalHoldout', () => {
  it('holds out nobody by default and about the share asked', () => {
    expect(ids.some((id) => inGlobalHoldout('site', id, 0))).toBe(false);
    const share = ids.filter((id) => inGlobalHoldout('site', id, 5)).length / ids.length;
    expect(Math.abs(share - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / ids.length));
  });

  it('is independent of campaign groups', () => {
    const held = ids.filter((id) => inGlobalHoldout('site', id, 50));
    const control = held.filter((id) => campaignGroup('c', id, 50) === 'control').length / held.length;
    expect(Math.abs(control - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / held.length));
  });
});
