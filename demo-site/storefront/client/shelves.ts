/**
 * Presentation around the recommendation slots the tag fills: the reason
 * codes the collector gives become words, the restock shelf shows only
 * when something is due again, and a slot that could not be filled says so
 * instead of showing grey boxes forever.
 */
import { currentRegion } from './region';

const REASONS: Record<string, string> = {
  'because-you-viewed': 'Because you looked at similar things',
  'recently-viewed': 'You looked at this recently',
  'bought-together': 'Often bought together',
  'also-viewed': 'Shoppers also viewed',
  'matches-your-interests': 'Matches your interests',
  'popular-in-region': 'Popular near you',
  'trending-in-region': 'Trending near you',
  trending: 'Trending',
  'time-to-reorder': 'Time to reorder',
  'best-seller': 'Best seller',
  // Placed or moved up by a merchandising rule.
  pinned: 'Featured',
  promoted: 'Featured',
};

function present(slot: HTMLElement): void {
  const state = slot.getAttribute('data-trailmark-state');
  const shelf = slot.closest<HTMLElement>('.shelf');
  // Shelves that only make sense for one kind of pick stay hidden (and so record no impression) without it.
  const onlyWith = shelf?.getAttribute('data-only-with-reason');
  if (state === 'rendered') {
    const reasons = [...slot.querySelectorAll<HTMLElement>('[data-field="reason"]')];
    if (onlyWith && shelf) shelf.hidden = !reasons.some((el) => el.textContent === onlyWith);
    reasons.forEach((el) => (el.textContent = REASONS[el.textContent ?? ''] ?? ''));
    if (slot.children.length === 0) slot.replaceChildren(note('Nothing to recommend yet.'));
  } else if (state === 'failed') {
    if (onlyWith && shelf) shelf.hidden = true;
    else slot.replaceChildren(note('Recommendations are not available right now.'));
  }
}

function note(text: string): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'slot-note';
  li.textContent = text;
  return li;
}

export function initShelves(): void {
  const slots = document.querySelectorAll<HTMLElement>('[data-trailmark-slot]');
  const observer = new MutationObserver((records) => records.forEach((r) => present(r.target as HTMLElement)));
  slots.forEach((slot) => {
    observer.observe(slot, { attributes: true, attributeFilter: ['data-trailmark-state'] });
    present(slot);
  });
  // Say which region "near you" is, when the demo's switcher has set one.
  const region = currentRegion();
  if (region) {
    document.querySelectorAll<HTMLElement>('#trending').forEach((h) => (h.textContent = `Trending in ${region.region || region.country}`));
  }
}

/** Slots the page adds later (the cart's, once it has lines). */
export function watchSlot(slot: HTMLElement): void {
  new MutationObserver(() => present(slot)).observe(slot, { attributes: true, attributeFilter: ['data-trailmark-state'] });
}
