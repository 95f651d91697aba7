/** Small DOM helpers: the demo builds its markup with these instead of innerHTML, so no input is ever parsed as HTML. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | EventListener>;

/**
 * Creates an element: `on*` attributes become listeners, `true` sets an empty attribute, `false`/`undefined` skips it.
 * @example h('button', { type: 'button', onclick: () => go() }, 'Go')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else if (value !== false && value !== undefined) el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Appends children, skipping empty ones. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children in one DOM operation. */
export function replace(parent: Element, ...children: Child[]): void {
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  parent.replaceChildren(fragment);
}

/**
 * Like {@link replace}, but touches the DOM only when the markup differs: panels refreshed on a
 * timer then cause no layout work, and assistive technology is not told about non-changes.
 */
export function update(parent: Element, ...children: Child[]): void {
  const next = document.createElement('div');
  append(next, children);
  if (next.innerHTML !== parent.innerHTML) parent.replaceChildren(...next.childNodes);
}

/** The element with this id; throws naming the id when the page shell lacks it (a build mistake). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T is the caller's statement of the element's type, as with querySelector<T>
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo: the page has no #${id}`);
  return el as T;
}

/** A definition list from label/value pairs; `undefined` values are left out. */
export function facts(pairs: ReadonlyArray<readonly [string, Child]>): HTMLDListElement {
  const dl = h('dl', { class: 'facts' });
  for (const [term, value] of pairs) if (value !== undefined) append(dl, [h('dt', {}, term), h('dd', {}, value)]);
  return dl;
}
