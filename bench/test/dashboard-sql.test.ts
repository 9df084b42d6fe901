import { describe, expect, it } from 'vitest';
import { inlineParameters, panelStatements } from '../dashboard-sql';

describe('the dashboard panels as SQL', () => {
  it('writes parameters in as literals, numbered or in order', () => {
    expect(inlineParameters('SELECT ?1, ?2, ?1', ["it's", 3])).toBe("SELECT 'it''s', 3, 'it''s'");
    expect(inlineParameters('WHERE a = ? AND b = ?', ['x', null])).toBe("WHERE a = 'x' AND b = NULL");
  });

  it('gives every panel its statements, with the period and filter in them', async () => {
    const now = Date.UTC(2026, 11, 5);
    const panels = await panelStatements({ days: 7, filters: { device: 'mobile' }, now });
    for (const { panel, statements } of panels) expect(statements.length, panel).toBeGreaterThan(0);
    const overview = panels.find((p) => p.panel === 'overview')!.statements.join('\n');
    expect(overview).toContain(String(now - 7 * 86_400_000));
    expect(overview).toContain("'mobile'");
    expect(overview).not.toMatch(/\?\d/);
  });
});
