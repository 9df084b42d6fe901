/**
 * The dashboard's sections, in the order of its navigation: one entry here
 * adds a section. Shared by the page frame and
 * the client router.
 */
export interface ViewInfo {
  id: string;
  title: string;
  /** One line under the heading: the question the section answers. */
  lede: string;
}

export const VIEWS = [
  { id: 'overview', title: 'Overview', lede: 'How many people came, how many bought, and what they spent, against the period before.' },
  { id: 'acquisition', title: 'Traffic', lede: 'Where visits come from, and which sources and campaigns convert and earn.' },
  { id: 'funnel', title: 'Funnel', lede: 'People through the steps, in order, within the conversion window: where they drop off, and who.' },
  { id: 'search', title: 'Search', lede: 'What shoppers look for, whether they find it, and whether they click what they find.' },
  { id: 'retention', title: 'Retention', lede: 'Whether people come back, week after week, and buy again.' },
  { id: 'lifecycle', title: 'Lifecycle', lede: 'New, active, at-risk, sleeping and lapsed shoppers, over time and now, with who they are.' },
  { id: 'slots', title: 'Recommendations', lede: 'Whether the recommendation slots earn their place against the holdout that does not see them.' },
  { id: 'campaigns', title: 'Campaigns', lede: 'Whether contacting an audience earns more than leaving its control group alone, and what it cost.' },
  { id: 'audiences', title: 'Audiences', lede: 'Live segments of shoppers: how many are in each, and who.' },
  { id: 'rules', title: 'Rules', lede: 'What merchandisers pin, boost, bury or exclude in the recommendation slots, and when.' },
  { id: 'regions', title: 'Regions', lede: 'What sells where.' },
  { id: 'live', title: 'Live', lede: 'Events as they are stored, and the period’s events by type.' },
  { id: 'shopper', title: 'Shopper', lede: 'One shopper’s stitched profile: every id, what they did, what they like.' },
] as const satisfies readonly ViewInfo[];

export type ViewId = (typeof VIEWS)[number]['id'];
