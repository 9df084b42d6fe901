/**
 * The period the figures cover: a preset (the last 24 hours, 7, 30 or 90
 * days, always ending now) or two dates (whole days, local time).
 */
import { required } from '../../shared/dom';

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

export class PeriodPicker {
  private readonly form = required<HTMLFormElement>('[data-period-form]');
  private readonly select = required<HTMLSelectElement>('#period', this.form);
  private readonly custom = required('[data-custom-dates]', this.form);
  private readonly fromInput = required<HTMLInputElement>('#period-from', this.form);
  private readonly toInput = required<HTMLInputElement>('#period-to', this.form);

  constructor(onChange: () => void) {
    const today = localDate(new Date());
    this.toInput.value = today;
    this.fromInput.value = localDate(new Date(Date.now() - 6 * 86_400_000));
    this.select.addEventListener('change', () => {
      this.custom.hidden = this.select.value !== 'custom';
      if (this.select.value !== 'custom') onChange();
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      onChange();
    });
  }

  show(visible: boolean): void {
    this.form.hidden = !visible;
  }

  /** The period as of now (presets move with the clock). */
  current(): Period {
    const preset = PRESETS[this.select.value];
    if (preset) return { from: new Date(Date.now() - preset.hours * 3_600_000), to: new Date(), label: preset.label };
    const from = startOfLocalDay(this.fromInput.value) ?? new Date(Date.now() - 7 * 86_400_000);
    let to = startOfLocalDay(this.toInput.value);
    to = to ? new Date(to.getTime() + 86_400_000) : new Date();
    // Dates the wrong way round: show the days between them anyway.
    const [a, b] = from < to ? [from, to] : [to, from];
    return { from: a, to: b.getTime() === a.getTime() ? new Date(a.getTime() + 86_400_000) : b, label: `${this.fromInput.value} to ${this.toInput.value}` };
  }
}

function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function startOfLocalDay(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined;
}
