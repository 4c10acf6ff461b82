import { language } from './i18n.js';

// The public HTTP API, called with the e-shop's API key, which lives only in this browser tab's sessionStorage.
const keys = { eshop: 'ellity.admin.eshopId', apiKey: 'ellity.admin.apiKey' };

export const session = {
  get eshopId() { return sessionStorage.getItem(keys.eshop); },
  get apiKey() { return sessionStorage.getItem(keys.apiKey); },
  get signedIn() { return Boolean(this.eshopId && this.apiKey); },
  save(eshopId, apiKey) {
    sessionStorage.setItem(keys.eshop, eshopId);
    sessionStorage.setItem(keys.apiKey, apiKey);
  },
  clear() {
    sessionStorage.removeItem(keys.eshop);
    sessionStorage.removeItem(keys.apiKey);
  },
};

/** Thrown after a 401: the session is gone and the page is back at sign-in. */
export class SignedOut extends Error {}

let onSignedOut = () => {};
export function whenSignedOut(handler) { onSignedOut = handler; }

/**
 * One API call. Resolves to { status, ok, json } for every answer but 401, which ends the session
 * (the key was rotated or is wrong) and returns to sign-in with a message.
 */
export async function call(method, path, body, apiKey = session.apiKey) {
  // The API explains failures in plain words in the page's language.
  const headers = { Accept: 'application/json, application/problem+json', 'Accept-Language': language() };
  if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (response.status === 401 && apiKey === session.apiKey) {
    session.clear();
    onSignedOut();
    throw new SignedOut();
  }
  return { status: response.status, ok: response.ok, json };
}

/** A path under the signed-in e-shop. */
export const shop = (path = '') => `/api/eshops/${encodeURIComponent(session.eshopId)}${path}`;

let triggers = null;

/** The trigger catalog (the same for every shop), loaded once. */
export async function loadTriggers() {
  if (!triggers) {
    const { ok, json } = await call('GET', '/api/webhooks/triggers');
    if (!ok) throw new Error('triggers');
    triggers = json;
  }
  return triggers;
}

let defaults = null;

/** What a webhook gets unless it sets its own (the retry schedule), as this installation is configured; loaded once. */
export async function loadDefaults() {
  if (!defaults) {
    const { ok, json } = await call('GET', '/api/webhooks/defaults');
    if (!ok) throw new Error('defaults');
    defaults = json;
  }
  return defaults;
}
