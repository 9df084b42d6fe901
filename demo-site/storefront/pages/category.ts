/**
 * Category pages, at the two levels of the catalog's tree: a department
 * (`/category/grocery`) lists its aisles and products, an aisle
 * (`/category/grocery/coffee`) its products. Each product list is recorded
 * as `Product List Viewed`, and opening a product from it as
 * `Product Clicked`, by the tag reading the list's attributes.
 */
import { html } from '../html';
import { page } from '../layout';
import { breadcrumbs, productList } from '../parts';
import type { Aisle, Department, Shop } from '../shop';

export function departmentPage(shop: Shop, department: Department): string {
  return page({
    shop,
    kind: 'department',
    department: department.name,
    title: department.name,
    description: `${department.name}: ${department.aisles.map((a) => a.name).join(', ')}.`,
    main: html`<div class="wrap">
  ${breadcrumbs([{ name: 'Home', url: '/' }, { name: department.name }])}
  <h1>${department.name}</h1>
  ${aisleLinks(department)}
  <p class="count">${department.products.length} products</p>
  ${productList(`department-${department.slug}`, department.name, department.products, `Products in ${department.name}`)}
</div>`,
  });
}

export function aislePage(shop: Shop, aisle: Aisle): string {
  const { department } = aisle;
  return page({
    shop,
    kind: 'aisle',
    department: department.name,
    title: aisle.name,
    description: `${aisle.name} in ${department.name}.`,
    main: html`<div class="wrap">
  ${breadcrumbs([{ name: 'Home', url: '/' }, { name: department.name, url: department.url }, { name: aisle.name }])}
  <h1>${aisle.name}</h1>
  ${aisleLinks(department, aisle)}
  <p class="count">${aisle.products.length} products</p>
  ${productList(`category-${aisle.slug}`, aisle.path, aisle.products, `Products in ${aisle.name}`)}
</div>`,
  });
}

function aisleLinks(department: Department, current?: Aisle) {
  return html`<nav class="aisles" aria-label="Aisles in ${department.name}"><ul role="list">
  ${department.aisles.map((a) => html`<li><a href="${a.url}"${a === current ? html` aria-current="page"` : ''}>${a.name}</a></li>`)}
</ul></nav>`;
}
