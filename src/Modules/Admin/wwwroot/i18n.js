// Every visible label comes from one object per language; Czech is the default (the product's users are Czech shops).
import cs from './i18n/cs.js';
import en from './i18n/en.js';

const languages = { cs, en };
const storageKey = 'ellity.admin.language';

let current = languages[localStorage.getItem(storageKey)] ? localStorage.getItem(storageKey) : 'cs';

export const language = () => current;

export function setLanguage(code) {
  current = languages[code] ? code : 'cs';
  localStorage.setItem(storageKey, current);
  document.documentElement.lang = current;
}

/** The label for key, with {name} placeholders filled from params. */
export function t(key, params = {}) {
  const text = languages[current][key] ?? languages.cs[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

/** A label that may not be translated (e.g. a trigger added to the catalog later): the API's own text then. */
export function tOr(key, fallback) {
  return languages[current][key] ?? fallback;
}

/** Labels written into index.html itself. */
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  document.title = t('page.title');
}

const locales = { cs: 'cs-CZ', en: 'en-GB' };

export function formatTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locales[current], { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

export function formatNumber(n) {
  return new Intl.NumberFormat(locales[current]).format(n);
}

/** Seconds as a short human duration: 5 s, 5 min, 2 h. */
export function formatDelay(seconds) {
  if (seconds === 0) return t('delay.now');
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${formatNumber(Math.round(seconds / 6) / 10)} min`;
  return `${formatNumber(Math.round(seconds / 360) / 10)} h`;
}
