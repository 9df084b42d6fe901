/**
 * The form that creates (or replaces) a campaign on one of the site's
 * audiences: PUT /v1/admin/campaigns/:id. A refused campaign shows each
 * problem beside its field, from the `issues` of the 400; the audience is
 * picked from the site's audiences, filled again at each refresh.
 */
import { h } from '../../../shared/dom';
import { dateTimeInput, formFields, isoFromLocal, numberInput, textInput } from '../form-fields';
import type { AudienceView, RuleIssue } from '../types';
import { note, panel } from '../ui';
import type { ViewContext } from '../view-context';

/** The fields of the form, by the JSON path the API names in its issues. */
type FieldPath =
  | 'id'
  | 'name'
  | 'audienceId'
  | 'holdoutPercent'
  | 'goal.event'
  | 'goal.productId'
  | 'goal.category'
  | 'windowDays'
  | 'startsAt'
  | 'endsAt'
  | 'costPerContact'
  | 'offer.title'
  | 'offer.body'
  | 'offer.url'
  | 'offer.imageUrl'
  | 'offer.coupon'
  | 'destinations';

const OFFER_FIELDS = ['title', 'body', 'url', 'imageUrl', 'coupon'] as const;

export interface CampaignForm {
  element: HTMLElement;
  /** Offers the site's audiences in the audience list, keeping the one picked. */
  setAudiences(audiences: AudienceView[]): void;
}

export function campaignForm(context: () => ViewContext | undefined, saved: (id: string) => void): CampaignForm {
  const fields = formFields<FieldPath>('campaign');
  const { field, value } = fields;
  const formStatus = fields.status;
  const audience = h('select', {}, h('option', { value: '' }, 'Loading audiences…'));

  const element = fields.form(
    'data-campaign-form',
    [
      field('id', 'Campaign id', textInput('e.g. winter-boots-coupon'), 'Letters, digits, - _ . : (saving an existing id replaces that campaign)'),
      field('name', 'Name', textInput('e.g. Winter boots: 15% off')),
      field('audienceId', 'Audience', audience, 'Its members are split once into treatment and control'),
      field('holdoutPercent', 'Holdout (% kept as control)', numberInput('1', '50'), 'From 0 to 90'),
      field('goal.event', 'Goal event', textInput('', 'Order Completed'), 'A member converts at their first such event'),
      field('goal.productId', 'Goal product (optional)', textInput('product id')),
      field('goal.category', 'Goal category (optional)', textInput('e.g. Shoes > Boots')),
      field('windowDays', 'Window (days)', numberInput('1', '3'), 'Days after assignment in which the goal counts, 1 to 90'),
      field('startsAt', 'Starts', dateTimeInput(), 'Empty: now'),
      field('endsAt', 'Ends', dateTimeInput(), 'Empty: runs until changed'),
      field('costPerContact', 'Cost per contact', numberInput('0.01'), 'In the site’s currency, for the return on cost'),
      field('offer.title', 'Offer title', textInput('the headline the shopper sees'), 'Empty: no offer in the offer slot'),
      field('offer.body', 'Offer text', textInput()),
      field('offer.url', 'Offer link', textInput('/c/boots or https://…')),
      field('offer.imageUrl', 'Offer image', textInput('/img/boots.jpg or https://…')),
      field('offer.coupon', 'Coupon code', textInput('e.g. BOOTS15')),
      field('destinations', 'Destinations (optional)', textInput('destination ids, comma-separated'), 'Where treatment members are handed over'),
    ],
    [h('button', { type: 'submit', class: 'primary' }, 'Save campaign')],
  );

  function setAudiences(audiences: AudienceView[]): void {
    const picked = audience.value;
    audience.replaceChildren(
      ...(audiences.length
        ? [h('option', { value: '' }, 'Pick an audience'), ...audiences.map((a) => h('option', { value: a.id }, `${a.name} (${a.id})`))]
        : [h('option', { value: '' }, 'No audiences yet: create one in Audiences')]),
    );
    if (audiences.some((a) => a.id === picked)) audience.value = picked;
  }

  function body(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: value('name'), audienceId: value('audienceId'), goal: { event: value('goal.event') } };
    const goal = out.goal as Record<string, string>;
    if (value('goal.productId')) goal.productId = value('goal.productId');
    if (value('goal.category')) goal.category = value('goal.category');
    // Numbers go as typed: the collector says what is wrong with them, beside the field.
    for (const key of ['holdoutPercent', 'windowDays', 'costPerContact'] as const) if (value(key)) out[key] = Number(value(key));
    for (const key of ['startsAt', 'endsAt'] as const) {
      const local = value(key);
      if (local) out[key] = isoFromLocal(local);
    }
    const offer: Record<string, string> = {};
    for (const key of OFFER_FIELDS) if (value(`offer.${key}`)) offer[key] = value(`offer.${key}`);
    // Any offer field sends the offer, so a missing title is said beside it rather than the rest dropped.
    if (Object.keys(offer).length) out.offer = offer;
    if (value('destinations'))
      out.destinations = value('destinations')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    return out;
  }

  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    const ctx = context();
    if (!ctx) return;
    fields.clearIssues();
    const id = value('id');
    const missing: RuleIssue[] = [];
    if (!id) missing.push({ path: 'id', message: 'Give the campaign an id.' });
    if (!audience.value) missing.push({ path: 'audienceId', message: 'Pick the audience the campaign contacts.' });
    if (missing.length) {
      fields.showIssues(missing, '');
      return;
    }
    await fields.save(
      () => ctx.api.saveCampaign(id, body()),
      (answer) => {
        // A warning (no control group) is saved all the same, but said where it cannot be missed.
        formStatus.textContent = [
          `Saved campaign ${id} (${answer.campaign.status}).`,
          ...(answer.warnings ?? []).map((w) => `Warning: ${w.message}`),
          answer.note ?? '',
        ]
          .filter(Boolean)
          .join(' ');
        saved(id);
      },
    );
  });

  return {
    element: panel(
      'Create a campaign',
      note('Pick an audience and what counts as converting; the holdout is kept as control and never contacted, so the report compares like with like.'),
      element,
    ),
    setAudiences,
  };
}
