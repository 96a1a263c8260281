/**
 * Looking up the page's elements by id, checked.
 */

/** The element with id `id`, which must be a `type`; throws naming it otherwise. */
export function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return found;
}
