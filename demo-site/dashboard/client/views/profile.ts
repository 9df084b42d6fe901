/**
 * One shopper's stitched profile: every id linked to them (the anonymous
 * browsers and the customer id), where and on what they shop, their
 * lifecycle stage, what they did, the interests it adds up to, and what
 * they buy on a cycle.
 */
import { type Child, h } from '../../../shared/dom';
import { formatCount, formatPrice, plural } from '../../../shared/format';
import type { Profile } from '../types';
import { bar, emptyState, formatDateTime, note } from '../ui';
import type { View, ViewContext } from '../view-context';

/** The look-up form, and the profile of the id in the address (`#/shopper?id=…`). */
export function shopperView(): View {
  return {
    async render(el: HTMLElement, ctx: ViewContext) {
      const id = ctx.state.profile;
      const input = h('input', {
        id: 'profile-id',
        name: 'id',
        type: 'search',
        spellcheck: 'false',
        autocomplete: 'off',
        placeholder: 'e.g. demo-olivia-garcia',
        required: true,
        value: id ?? '',
      });
      const result = h('div', { 'data-panel': 'profile', 'aria-live': 'polite' });
      const form = h(
        'form',
        {
          class: 'profile-form',
          onsubmit: (event: Event) => {
            event.preventDefault();
            const next = input.value.trim();
            if (next) ctx.openProfile(next);
          },
        },
        h('label', { for: 'profile-id' }, 'Anonymous id or user id'),
        input,
        h('button', { type: 'submit' }, 'Look up'),
      );
      el.replaceChildren(form, result);
      if (!id) {
        result.replaceChildren(
          note('Ids come from the live events, from any list of people, or from your own systems (the customer id you pass to identify).'),
        );
        return;
      }
      result.textContent = 'Looking up…';
      const profile = await ctx.api.profile(id);
      if (!ctx.stillWanted()) return;
      renderProfile(result, id, profile, ctx.currency);
    },
  };
}

export function renderProfile(el: HTMLElement, id: string, profile: Profile | undefined, currency: string): void {
  if (!profile) {
    el.replaceChildren(emptyState(`No shopper has the id “${id}”. Ids are case-sensitive; copy one from the live events.`));
    return;
  }
  const place = [profile.region.city, profile.region.region, profile.region.country].filter(Boolean).join(', ') || 'unknown';
  const device = [profile.device.type, profile.device.browser, profile.device.os].filter(Boolean).join(' · ') || 'unknown';
  const c = profile.counts;
  el.replaceChildren(
    h(
      'article',
      { class: 'profile', 'data-profile': profile.profileId },
      h(
        'header',
        { class: 'profile-head' },
        h('h3', {}, profile.userId ?? 'Anonymous shopper'),
        h('span', { class: `stage stage-${profile.lifecycle}` }, profile.lifecycle),
        h(
          'p',
          {},
          `${place} · ${device} · first seen ${formatDateTime(profile.firstSeen)}, last seen ${formatDateTime(profile.lastSeen)} · ${plural(profile.sessions, 'session')} · ${formatPrice(profile.revenue, currency)} spent`,
        ),
      ),
      h(
        'div',
        { class: 'profile-grid' },
        section(
          'Linked ids',
          h(
            'dl',
            { class: 'ids' },
            h('dt', {}, `Customer ids (${profile.userIds.length})`),
            h(
              'dd',
              {},
              list(
                profile.userIds.map((u) => h('code', { 'data-user-id': u }, u)),
                'none: never logged in',
              ),
            ),
            h('dt', {}, `Anonymous ids (${profile.anonymousIds.length})`),
            h(
              'dd',
              {},
              list(
                profile.anonymousIds.map((a) => h('code', { 'data-anonymous-id': a }, a)),
                'none',
              ),
            ),
            profile.mergedProfileIds.length > 0
              ? [
                  h('dt', {}, 'Joined profiles'),
                  h('dd', {}, `${plural(profile.mergedProfileIds.length, 'anonymous history', 'anonymous histories')} joined on login`),
                ]
              : null,
          ),
        ),
        section(
          'Activity',
          h(
            'dl',
            { class: 'counts' },
            (
              [
                ['Events', c.events],
                ['Page views', c.pageViews],
                ['Product views', c.productViews],
                ['Searches', c.searches],
                ['Added to cart', c.adds],
                ['Orders', c.orders],
              ] as const
            ).map(([label, n]) => h('div', { 'data-count': label }, h('dt', {}, label), h('dd', {}, formatCount(n)))),
          ),
        ),
        section(
          'Interests',
          profile.interests.length === 0
            ? emptyState('None yet.')
            : h(
                'ul',
                { class: 'interests' },
                profile.interests.map((i) =>
                  h('li', {}, h('span', {}, i.category), bar(i.score, 'muted'), h('span', { class: 'num' }, `${Math.round(i.score * 100)}`)),
                ),
              ),
        ),
        section(
          'Recently viewed',
          list(
            profile.recentViews.slice(0, 8).map((v) => h('span', {}, v.name ?? v.productId, h('span', { class: 'when' }, formatDateTime(v.at)))),
            'Nothing yet.',
          ),
        ),
        section(
          'Searches',
          list(
            profile.searches.slice(0, 8).map((s) => h('span', {}, `“${s.query}”`, h('span', { class: 'when' }, formatDateTime(s.at)))),
            'None.',
          ),
        ),
        section(
          'In the cart',
          list(
            profile.cart.map((l) =>
              h(
                'span',
                {},
                `${l.quantity} × ${l.name ?? l.productId}`,
                l.price !== undefined ? h('span', { class: 'when' }, formatPrice(l.price, currency)) : null,
              ),
            ),
            'Empty.',
          ),
        ),
        section(
          'Orders',
          list(
            profile.orders
              .slice(0, 8)
              .map((o) =>
                h(
                  'span',
                  {},
                  h('code', {}, o.orderId),
                  ` · ${formatPrice(o.total, o.currency ?? currency)} · ${plural(o.productIds.length, 'product')}`,
                  h('span', { class: 'when' }, formatDateTime(o.at)),
                ),
              ),
            'None.',
          ),
        ),
        section(
          'Bought on a cycle',
          list(
            // One purchase is not a cycle yet: the reorder slot waits for the second.
            profile.purchaseCycles
              .filter((p) => p.purchases > 1)
              .map((p) =>
                h(
                  'span',
                  {},
                  p.name ?? p.productId,
                  ` · ${plural(p.purchases, 'time')}`,
                  p.meanIntervalDays ? ` · every ${plural(Math.round(p.meanIntervalDays), 'day')}` : '',
                  h('span', { class: 'when' }, `last ${formatDateTime(p.lastAt)}`),
                ),
              ),
            'No repeat purchases yet.',
          ),
        ),
      ),
    ),
  );
}

function section(title: string, body: Child): HTMLElement {
  return h('section', { class: 'profile-part' }, h('h4', {}, title), body);
}

function list(items: Child[], empty: string): HTMLElement {
  return items.length === 0
    ? h('p', { class: 'muted' }, empty)
    : h(
        'ul',
        { class: 'plain' },
        items.map((item) => h('li', {}, item)),
      );
}
