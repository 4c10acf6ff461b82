// What every screen shares: moving between screens, a one-time message, focus on arrival.
import { tOr } from './i18n.js';

let flash = null;

/** A message shown once at the top of the next screen (e.g. "Webhook saved"). */
export const setFlash = message => { flash = message; };

export function takeFlash() {
  const message = flash;
  flash = null;
  return message;
}

export function navigate(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** Moves focus to the screen's heading, so keyboard and screen-reader users start at its top. */
export function focusHeading(view) {
  view.querySelector('h1')?.focus({ preventScroll: true });
}

export const triggerLabel = name => tOr(`trigger.${name}`, name);
