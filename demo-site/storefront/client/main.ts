/**
 * The shop's own script (/assets/shop.js): the header, the recommendation
 * shelves' presentation, and the page's behaviour, picked by
 * `<body data-page>`. Tracking is not its job: the tag does that from the
 * page's attributes and data layer (see identity.ts for the exception).
 */
import { initHeader } from './header';
import { initAccountPage } from './pages/account';
import { initCartPage } from './pages/cart';
import { initCheckoutPage } from './pages/checkout';
import { initOrderPage } from './pages/order';
import { initProductPage } from './pages/product';
import { initSearchPage } from './pages/search';
import { initRegionSwitcher } from './region';
import { initShelves } from './shelves';

const PAGES: Record<string, () => void | Promise<void>> = {
  product: initProductPage,
  search: initSearchPage,
  cart: initCartPage,
  checkout: initCheckoutPage,
  order: initOrderPage,
  account: initAccountPage,
};

initHeader();
initRegionSwitcher();
initShelves();
void PAGES[document.body.dataset.page ?? '']?.();
