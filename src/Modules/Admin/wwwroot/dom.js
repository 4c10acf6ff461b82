// Builds DOM nodes; text always goes in as text, never as HTML (names, URLs and responses come from users).
const properties = new Set(['value', 'checked', 'disabled', 'selected', 'open', 'hidden']);

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (properties.has(name)) el[name] = value;
    else if (name === 'class') el.className = value;
    else if (value !== false) el.setAttribute(name, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * A labelled form field: its label, the control, a hint and an error line, tied together with
 * for/aria-describedby so the label is visible and read out with the control.
 */
export function field({ id, label, hint, control, extra }) {
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const errorEl = h('p', { class: 'error', id: `${id}-error`, hidden: true });
  control.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' '));
  return h('div', { class: 'field', 'data-field': id }, h('label', { for: id }, label), control, hintEl, extra, errorEl);
}

/** Shows (or with no messages clears) the error line under a field and marks the control invalid. */
export function setFieldError(id, messages) {
  const errorEl = document.getElementById(`${id}-error`);
  const control = document.getElementById(id);
  if (!errorEl) return false;
  const list = (Array.isArray(messages) ? messages : [messages]).filter(Boolean);
  errorEl.replaceChildren(...list.flatMap((m, i) => (i ? [h('br'), m] : [m])));
  errorEl.hidden = list.length === 0;
  if (control) control.toggleAttribute('aria-invalid', list.length > 0);
  return true;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}
