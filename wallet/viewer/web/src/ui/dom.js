// Building the page's DOM. Record text is attacker-controlled, so every
// string goes in through textContent (or an attribute), never as HTML, and no
// element gets a style attribute (the page's CSP forbids inline styles):
// looks come from classes in viewer.css.

/**
 * el creates an element: el('p', {class: 'x', text: 'hello', attrs: {role: 'status'}}, child…).
 * Children are nodes, strings (as text) or null/false (skipped).
 */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.text !== undefined) e.textContent = props.text;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) if (v !== null && v !== undefined && v !== false) e.setAttribute(k, String(v));
  if (props.dataset) for (const [k, v] of Object.entries(props.dataset)) e.dataset[k] = String(v);
  if (props.on) for (const [ev, fn] of Object.entries(props.on)) e.addEventListener(ev, fn);
  append(e, ...children);
  return e;
}

/** append adds children (nodes, strings, or null/false to skip) to a parent. */
export function append(parent, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return parent;
}

/** clear removes every child of an element. */
export function clear(e) {
  while (e.firstChild) e.firstChild.remove();
  return e;
}
