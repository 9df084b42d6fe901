/**
 * Merchandising rules (contract section 9): the site's rules with their
 * status now, a form to add or replace one (a refused rule shows each
 * problem beside its field, from the `issues` of the 400), a preview of a
 * slot with the draft before it is saved, and removal. The form is kept
 * across the dashboard's refreshes; only the list is drawn again.
 */
import { type Child, fill, h } from '../../../shared/dom';
import { dateTimeInput, formFields, isoFromLocal, numberInput, textInput } from '../form-fields';
import type { RecommendationExplain, RuleBody, RuleView } from '../types';
import { emptyState, formatDateTime, note, panel, table } from '../ui';
import type { View, ViewContext } from '../view-context';

const SLOT_NAMES = ['home', 'product', 'cart', 'trending', 'reorder'] as const;
const ACTIONS = [
  ['pin', 'Pin products at a position'],
  ['boost', 'Boost (rank higher)'],
  ['bury', 'Bury (rank lower)'],
  ['exclude', 'Exclude'],
] as const;

export function rulesView(): View {
  let ctx: ViewContext | undefined;
  const listBody = h('div', { 'data-rules-list': '' });
  const status = h('p', { class: 'note', role: 'status', 'aria-live': 'polite' });
  const form = ruleForm(
    () => ctx,
    status,
    () => void refresh(),
  );
  const root = h(
    'div',
    { class: 'rules' },
    panel(
      'Rules',
      listBody,
      status,
      note(
        'Rules apply in every answer within about a second, to both groups of the holdout. Order: exclusions and stock, the slot’s own picks, boosts and buries, then pins.',
      ),
    ),
    form.element,
  );

  async function refresh(): Promise<void> {
    const current = ctx;
    if (!current) return;
    const { rules } = await current.api.rules();
    drawList(listBody, rules, current, status, () => void refresh(), form.edit);
  }

  return {
    async render(el: HTMLElement, context: ViewContext) {
      ctx = context;
      if (root.parentElement !== el) el.replaceChildren(root);
      const { rules } = await context.api.rules();
      if (!context.stillWanted()) return;
      drawList(listBody, rules, context, status, () => void refresh(), form.edit);
    },
  };
}

function drawList(el: HTMLElement, rules: RuleView[], ctx: ViewContext, status: HTMLElement, changed: () => void, edit: (rule: RuleView) => void): void {
  if (rules.length === 0) {
    el.replaceChildren(emptyState('No rules yet: every slot shows its own picks. Add one below.'));
    return;
  }
  el.replaceChildren(
    table(
      'Merchandising rules',
      ['Rule', 'Does', 'In slots', 'When', 'Valid', ''],
      rules.map((rule) => [
        h('span', { 'data-rule': rule.id }, h('code', {}, rule.id), h('span', { class: `note block rule-status ${rule.status}` }, rule.status)),
        does(rule),
        rule.slots.includes('*') ? 'every slot' : rule.slots.join(', '),
        conditions(rule),
        validity(rule),
        h(
          'span',
          { class: 'people-buttons' },
          h('button', { type: 'button', class: 'small', onclick: () => edit(rule) }, 'Edit', h('span', { class: 'visually-hidden' }, ` ${rule.id}`)),
          h(
            'button',
            {
              type: 'button',
              class: 'small',
              'data-remove-rule': rule.id,
              onclick: async () => {
                try {
                  await ctx.api.deleteRule(rule.id);
                  status.textContent = `Removed rule ${rule.id}.`;
                  changed();
                } catch (error) {
                  status.textContent = error instanceof Error ? error.message : String(error);
                }
              },
            },
            'Remove',
            h('span', { class: 'visually-hidden' }, ` ${rule.id}`),
          ),
        ),
      ]),
      { numeric: [] },
    ),
  );
}

function does(rule: RuleView): string {
  const what = [rule.products?.join(', '), rule.category ? `category ${rule.category}` : ''].filter(Boolean).join(' and ');
  switch (rule.action) {
    case 'pin':
      return `pins ${what} at position ${rule.position ?? 1}`;
    case 'boost':
      return `boosts ${what} ×${rule.factor ?? 2}`;
    case 'bury':
      return `buries ${what} ×${rule.factor ?? 0.5}`;
    case 'exclude':
      return `excludes ${what}`;
  }
}

function conditions(rule: RuleView): string {
  const w = rule.when ?? {};
  const parts = [
    w.productId ? `on product ${w.productId}` : '',
    w.category ? `in category ${w.category}` : '',
    w.region ? `from ${w.region}` : '',
    w.audienceId ? `audience ${w.audienceId}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'always';
}

function validity(rule: RuleView): string {
  if (!rule.startsAt && !rule.endsAt) return 'always';
  return `${rule.startsAt ? formatDateTime(rule.startsAt) : '…'} – ${rule.endsAt ? formatDateTime(rule.endsAt) : '…'}`;
}

/** The fields of the form, by the JSON path the API names in its issues. */
type FieldPath =
  | 'id'
  | 'slots'
  | 'action'
  | 'products'
  | 'category'
  | 'position'
  | 'factor'
  | 'when.productId'
  | 'when.category'
  | 'when.region'
  | 'when.audienceId'
  | 'startsAt'
  | 'endsAt';

function ruleForm(
  context: () => ViewContext | undefined,
  listStatus: HTMLElement,
  saved: () => void,
): { element: HTMLElement; edit: (rule: RuleView) => void } {
  const fields = formFields<FieldPath>('rule');
  const { field, value } = fields;
  const formStatus = fields.status;
  const preview = h('div', { 'data-rule-preview': '', 'aria-live': 'polite' });

  const action = h(
    'select',
    {},
    ACTIONS.map(([value, label]) => h('option', { value }, label)),
  );
  const slotBoxes = [...SLOT_NAMES, '*'].map((slot) =>
    h('input', { type: 'checkbox', name: 'slot', value: slot, id: `rule-slot-${slot === '*' ? 'all' : slot}`, checked: slot === 'home' }),
  );
  const slots = h(
    'fieldset',
    { class: 'rule-field rule-slots', 'aria-describedby': 'rule-slots-error' },
    h('legend', {}, 'In slots'),
    slotBoxes.map((box) => h('label', { class: 'check' }, box, box.value === '*' ? 'every slot' : box.value)),
  );
  slots.append(fields.groupError('slots', slots, slotBoxes[0]!));

  const element = fields.form(
    'data-rule-form',
    [
      field('id', 'Rule id', textInput('e.g. summer-tents-pin'), 'Letters, digits, - _ . : (saving an existing id replaces that rule)'),
      field('action', 'Action', action),
      slots,
      field('products', 'Products', textInput('product ids, comma-separated')),
      field('category', 'Category', textInput('e.g. Outdoor > Tents'), 'Boost, bury or exclude a whole category (subcategories included)'),
      field('position', 'Position (pin)', numberInput('1'), '1 is the first place'),
      field('factor', 'Factor (boost, bury)', numberInput('0.1'), 'Boost: more than 1 (default 2). Bury: between 0 and 1 (default 0.5)'),
      field('when.productId', 'Only on product', textInput('product id on screen')),
      field('when.category', 'Only while shopping in category', textInput('e.g. Outdoor')),
      field('when.region', 'Only from region', textInput('e.g. DE, Bavaria or DE/Bavaria')),
      field('when.audienceId', 'Only for audience', textInput('audience id')),
      field('startsAt', 'Starts', dateTimeInput('start')),
      field('endsAt', 'Ends', dateTimeInput('end')),
    ],
    [
      h('button', { type: 'submit', class: 'primary' }, 'Save rule'),
      h('button', { type: 'button', 'data-preview-rule': '', onclick: () => void runPreview() }, 'Preview'),
    ],
    preview,
  );

  function body(): RuleBody {
    const out: Record<string, unknown> = { action: value('action'), slots: slotBoxes.filter((b) => b.checked).map((b) => b.value) };
    if (value('products'))
      out.products = value('products')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    if (value('category')) out.category = value('category');
    // Numbers go as typed: the collector says what is wrong with them, beside the field.
    if (value('position')) out.position = Number(value('position'));
    if (value('factor')) out.factor = Number(value('factor'));
    const w: Record<string, string> = {};
    for (const key of ['productId', 'category', 'region', 'audienceId'] as const) if (value(`when.${key}`)) w[key] = value(`when.${key}`);
    if (Object.keys(w).length) out.when = w;
    for (const key of ['startsAt', 'endsAt'] as const) {
      const local = value(key);
      if (local) out[key] = isoFromLocal(local);
    }
    return out as RuleBody;
  }

  async function runPreview(): Promise<void> {
    const ctx = context();
    if (!ctx) return;
    fields.clearIssues();
    const id = value('id') || 'draft';
    const draft = body();
    const slot = draft.slots.find((s) => s !== '*') ?? 'home';
    if (slot === 'product' && !draft.when?.productId) {
      formStatus.textContent = 'To preview the product slot, say which product is on screen (Only on product).';
      return;
    }
    formStatus.textContent = 'Previewing…';
    const answer = await ctx.api.previewRule({ slot, ...(draft.when?.productId ? { productId: draft.when.productId } : {}), rules: { [id]: draft } });
    if ('issues' in answer) {
      fields.showIssues(
        answer.issues.map((i) => ({ ...i, path: i.path.replace(/^rules(\["[^"]*"\]|\.[^.[]+)\.?/, '') || i.path })),
        answer.message,
      );
      return;
    }
    formStatus.textContent = `The ${slot} slot for a new visitor, with this rule and the saved ones:`;
    fill(preview, previewTable(answer.explain));
  }

  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    const ctx = context();
    if (!ctx) return;
    fields.clearIssues();
    const id = value('id');
    if (!id) {
      fields.showIssues([{ path: 'id', message: 'Give the rule an id.' }], '');
      return;
    }
    await fields.save(
      () => ctx.api.saveRule(id, body()),
      (answer) => {
        formStatus.textContent = [`Saved rule ${id}.`, ...(answer.notes ?? [])].join(' ');
        listStatus.textContent = '';
        saved();
      },
    );
  });

  /** Fills the form with a saved rule, to change it. */
  function edit(rule: RuleView): void {
    fields.clearIssues();
    const set = (path: FieldPath, value: string | number | undefined) => (fields.control(path).value = value === undefined ? '' : String(value));
    const local = (iso: string | undefined) => {
      if (!iso) return undefined;
      const d = new Date(iso);
      return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    };
    set('id', rule.id);
    set('action', rule.action);
    for (const box of slotBoxes) box.checked = rule.slots.includes(box.value as (typeof rule.slots)[number]);
    set('products', rule.products?.join(', '));
    set('category', rule.category);
    set('position', rule.position);
    set('factor', rule.factor);
    set('when.productId', rule.when?.productId);
    set('when.category', rule.when?.category);
    set('when.region', rule.when?.region);
    set('when.audienceId', rule.when?.audienceId);
    set('startsAt', local(rule.startsAt));
    set('endsAt', local(rule.endsAt));
    formStatus.textContent = `Editing rule ${rule.id}: saving replaces it.`;
    fields.control('id').focus();
  }

  return { element: panel('Add or change a rule', element), edit };
}

function previewTable(explain: RecommendationExplain | undefined): Child {
  if (!explain) return null;
  return [
    table(
      'The slot with the rules',
      ['Place', 'Product', 'Why', 'Without rules'],
      explain.items.map((item) => [
        String(item.position),
        h('code', {}, item.productId),
        item.rules.length ? `${item.reason} (${item.rules.join(', ')})` : item.reason,
        item.withoutRules === null ? 'not shown' : `place ${item.withoutRules}`,
      ]),
      { numeric: [0, 3] },
    ),
    explain.removed.length || explain.unplacedPins.length || explain.notApplied.length
      ? h(
          'ul',
          { class: 'rule-notes' },
          explain.removed.map((r) =>
            h('li', {}, `${r.productId} (place ${r.withoutRules} without rules): ${r.because}${r.rules.length ? ` by ${r.rules.join(', ')}` : ''}`),
          ),
          explain.unplacedPins.map((p) => h('li', {}, `Pin of ${p.productId} (rule ${p.rule}) not shown: ${p.because}`)),
          explain.notApplied.map((r) => h('li', {}, `Rule ${r.id} does not apply here: ${r.because}`)),
        )
      : null,
  ];
}
