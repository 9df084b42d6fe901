/**
 * The period the figures cover: a preset (the last 24 hours, 7, 30 or 90
 * days, always ending now) or two dates (whole days, local time).
 */
import type { DashState } from './state';

export interface Period {
  from: Date;
  to: Date;
  label: string;
}

const PRESETS: Record<string, { hours: number; label: string }> = {
  '24h': { hours: 24, label: 'the last 24 hours' },
  '7d': { hours: 7 * 24, label: 'the last 7 days' },
  '30d': { hours: 30 * 24, label: 'the last 30 days' },
  '90d': { hours: 90 * 24, label: 'the last 90 days' },
};

/** The period as of now (presets move with the clock). */
export function periodOf(state: Pick<DashState, 'period' | 'from' | 'to'>, now = Date.now()): Period {
  const preset = PRESETS[state.period];
  if (preset) return { from: new Date(now - preset.hours * 3_600_000), to: new Date(now), label: preset.label };
  const from = startOfLocalDay(state.from ?? '') ?? new Date(now - 7 * 86_400_000);
  const end = startOfLocalDay(state.to ?? '');
  const to = end ? new Date(end.getTime() + 86_400_000) : new Date(now);
  // Dates the wrong way round: show the days between them anyway.
  const [a, b] = from < to ? [from, to] : [to, from];
  return {
    from: a,
    to: b.getTime() === a.getTime() ? new Date(a.getTime() + 86_400_000) : b,
    label: `${state.from ?? localDate(a)} to ${state.to ?? localDate(b)}`,
  };
}

export function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function startOfLocalDay(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined;
}
