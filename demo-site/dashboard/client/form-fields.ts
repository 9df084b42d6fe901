/**
 * The fields of the dashboard's forms (rules, campaigns): each a labelled
 * control with its hint and an error line, keyed by the JSON path the admin
 * API names in the `issues` of a refusal, so each problem is shown beside
 * the field it belongs to and the first one with a problem takes the focus.
 */
import { type Child, h } from '../../shared/dom';
import type { Refused } from './api';
import type { RuleIssue } from './types';

export type Control = HTMLInputElement | HTMLSelectElement;

export interface FormFields<Path extends string> {
  /** The form's status line: progress, and the problems that belong to no field. */
  readonly status: HTMLElement;
  /** A labelled control with its hint and its error line, answered for `path`. */
  field(path: Path, label: string, control: Control, hint?: string): HTMLElement;
  /**
   * The error line of a group of controls (a fieldset of checkboxes):
   * `marked` is flagged invalid, `focus` takes the focus.
   */
  groupError(path: Path, marked: HTMLElement, focus: HTMLElement): HTMLElement;
  control(path: Path): Control;
  /** The control's value, trimmed. */
  value(path: Path): string;
  clearIssues(): void;
  /** Each issue beside its field (`products[1]` belongs to products); the rest in the status line. */
  showIssues(issues: RuleIssue[], message: string): void;
  /** The form: `grid` (its fields), then `buttons`, the status line and `after`; `marker` is its data attribute (`data-rule-form`). */
  form(marker: string, grid: Child[], buttons: Child[], ...after: Child[]): HTMLFormElement;
  /** Sends the form with `send`: a refusal's issues beside their fields, `done` with the answer, an error in the status line. */
  save<T extends object>(send: () => Promise<T | Refused>, done: (answer: T) => void): Promise<void>;
}

interface Entry {
  error: HTMLElement;
  marked: HTMLElement;
  focus: HTMLElement;
}

/** Fields whose element ids start with `prefix` (`rule-` + `when-region`). */
export function formFields<Path extends string>(prefix: string): FormFields<Path> {
  const entries = new Map<string, Entry>();
  const controls = new Map<Path, Control>();
  const status = h('p', { class: 'note', role: 'status', 'aria-live': 'polite' });
  const idOf = (path: Path) => `${prefix}-${path.replace('.', '-')}`;

  const errorLine = (path: Path, marked: HTMLElement, focus: HTMLElement): HTMLElement => {
    const error = h('span', { class: 'field-error', id: `${idOf(path)}-error` });
    entries.set(path, { error, marked, focus });
    return error;
  };
  const control = (path: Path): Control => {
    const found = controls.get(path);
    if (!found) throw new Error(`The form has no field ${path}`);
    return found;
  };

  const showIssues = (issues: RuleIssue[], message: string): void => {
    const elsewhere: string[] = [];
    let first: HTMLElement | undefined;
    for (const issue of issues) {
      const entry = entries.get(issue.path.replace(/\[\d+\]$/, ''));
      if (!entry) {
        elsewhere.push(`${issue.path}: ${issue.message}`);
        continue;
      }
      entry.error.textContent = entry.error.textContent ? `${entry.error.textContent}; ${issue.message}` : issue.message;
      entry.marked.setAttribute('aria-invalid', 'true');
      first ??= entry.focus;
    }
    status.textContent = elsewhere.length ? elsewhere.join('; ') : issues.length ? 'Some fields need a change: see beside them.' : message;
    first?.focus();
  };

  return {
    status,
    field(path, label, control, hint) {
      const id = idOf(path);
      control.id = id;
      control.name = path;
      control.setAttribute('aria-describedby', `${id}-error${hint ? ` ${id}-hint` : ''}`);
      controls.set(path, control);
      const error = errorLine(path, control, control);
      return h(
        'div',
        { class: 'rule-field' },
        h('label', { for: id }, label),
        control,
        hint ? h('span', { class: 'note', id: `${id}-hint` }, hint) : null,
        error,
      );
    },
    groupError: errorLine,
    control,
    value: (path) => control(path).value.trim(),
    clearIssues() {
      for (const { error, marked } of entries.values()) {
        error.textContent = '';
        marked.removeAttribute('aria-invalid');
      }
    },
    showIssues,
    form: (marker, grid, buttons, ...after) =>
      h(
        'form',
        { class: 'rule-form', novalidate: true, [marker]: '' },
        h('div', { class: 'rule-grid' }, grid),
        h('div', { class: 'rule-buttons' }, buttons),
        status,
        after,
      ),
    async save(send, done) {
      status.textContent = 'Saving…';
      try {
        const answer = await send();
        if ('issues' in answer) {
          showIssues(answer.issues, answer.message);
          return;
        }
        done(answer);
      } catch (error) {
        status.textContent = error instanceof Error ? error.message : String(error);
      }
    },
  };
}

export function textInput(placeholder = '', value?: string): HTMLInputElement {
  return h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder, value });
}

export function numberInput(step: string, value?: string): HTMLInputElement {
  return h('input', { type: 'number', step, inputmode: 'decimal', value });
}

export function dateTimeInput(placeholder?: string): HTMLInputElement {
  return h('input', { type: 'datetime-local', placeholder });
}

/** A `datetime-local` value as an ISO time; what does not parse goes as typed, for the collector to refuse beside the field. */
export function isoFromLocal(local: string): string {
  return Number.isNaN(Date.parse(local)) ? local : new Date(local).toISOString();
}
