/** What a view gets to draw itself: the API, the state and its period, and the shared dialogs. */
import type { AdminApi, StatsScope } from './api';
import type { PeopleDialog } from './people-dialog';
import type { Period } from './period';
import type { DashState, StateStore } from './state';

export interface ViewContext {
  api: AdminApi;
  state: DashState;
  store: StateStore;
  period: Period;
  /** The period and filters every statistics request names. */
  scope: StatsScope;
  people: PeopleDialog;
  /** The site's currency (settings.currency): amounts that name none are in it. */
  currency: string;
  openProfile(id: string): void;
  /** False once the page has moved on (another view, period or filter): a late answer is then dropped. */
  stillWanted(): boolean;
}

/** A view draws into its element; one that keeps working in the background (live) says how to stop. */
export interface View {
  render(el: HTMLElement, ctx: ViewContext): Promise<void>;
  stop?(): void;
}
