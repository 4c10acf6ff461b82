// The admin page: a hash router over four screens (sign-in, webhook list, editor, delivery log).
import { call, loadTriggers, session, shop, SignedOut, whenSignedOut } from './api.js';
import { h } from './dom.js';
import { formatTime, language, setLanguage, t, tOr, translateStatic } from './i18n.js';
import { focusHeading, setFlash, takeFlash, triggerLabel } from './nav.js';
import { renderEditor } from './editor.js';
import { renderDeliveries } from './deliveries.js';
import { explanationOf, recoverControl } from './recover.js';
import { renderNotifications } from './notifications.js';

const main = document.getElementById('main');
let leaveView = null;
let routeCount = 0;
let signInMessage = null;

whenSignedOut(() => {
  signInMessage = t('signIn.expired');
  route();
});

function updateShell() {
  const who = document.getElementById('who');
  who.hidden = !session.signedIn;
  who.textContent = session.signedIn ? t('shell.eshop', { eshop: session.eshopId }) : '';
  document.getElementById('sign-out').hidden = !session.signedIn;
  const other = language() === 'cs' ? 'en' : 'cs';
  const switcher = document.getElementById('language');
  switcher.textContent = t(`language.${other}`);
  switcher.lang = other;
  switcher.dataset.language = other;
}

async function route() {
  leaveView?.();
  leaveView = null;
  const thisRoute = ++routeCount;
  updateShell();
  const view = document.createElement('div');
  main.replaceChildren(view);
  const flash = takeFlash();
  if (flash) view.append(h('p', { class: 'flash', role: 'status' }, flash));
  try {
    if (!session.signedIn) {
      renderSignIn(view);
      return;
    }
    // Webhooks is a feature the e-shop adds first: until it has, every screen is the step that adds it.
    const { json: eshop } = await call('GET', shop());
    if (!eshop?.features?.includes('webhooks')) {
      renderFeatureStep(view);
      return;
    }
    const hash = location.hash || '#/';
    let match;
    let leave;
    if ((match = hash.match(/^#\/webhooks\/([0-9a-f-]+)\/deliveries$/))) leave = await renderDeliveries(view, match[1]);
    else if ((match = hash.match(/^#\/webhooks\/([0-9a-f-]+)$/))) leave = await renderEditor(view, match[1]);
    else if (hash === '#/new') leave = await renderEditor(view, null);
    else if (hash === '#/notifications') await renderNotifications(view);
    else await renderList(view);
    // A screen left while it was still loading stops its timers at once.
    if (thisRoute === routeCount) leaveView = leave;
    else leave?.();
  } catch (error) {
    if (error instanceof SignedOut) return;
    console.error(error);
    view.append(h('p', { class: 'problem', role: 'alert' }, t('error.unexpected')));
  }
}

function renderSignIn(view) {
  const eshop = h('input', { type: 'text', autocomplete: 'username', required: true, spellcheck: 'false', value: session.eshopId ?? '' });
  const key = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'problem', role: 'alert', hidden: !signInMessage }, signInMessage ?? '');
  signInMessage = null;
  const submit = h('button', { type: 'submit', class: 'primary' }, t('signIn.submit'));

  const form = h('form', {
    class: 'card signin', novalidate: true,
    onsubmit: async event => {
      event.preventDefault();
      const id = eshop.value.trim();
      const apiKey = key.value.trim();
      if (!id || !apiKey) {
        message.textContent = t('signIn.missing');
        message.hidden = false;
        (id ? key : eshop).focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = t('signIn.busy');
      try {
        const { status } = await call('GET', `/api/eshops/${encodeURIComponent(id)}`, undefined, apiKey);
        if (status === 200) {
          session.save(id, apiKey);
          route();
          return;
        }
        message.textContent = t(status === 401 ? 'signIn.invalidKey' : status === 404 ? 'signIn.wrongEshop' : 'error.unexpected');
      } catch {
        message.textContent = t('error.network');
      } finally {
        submit.disabled = false;
        submit.textContent = t('signIn.submit');
      }
      message.hidden = false;
      key.select();
      key.focus();
    },
  },
    h('h1', { tabindex: '-1' }, t('signIn.title')),
    h('p', { class: 'lead' }, t('signIn.lead')),
    h('div', { class: 'field' }, h('label', { for: 'signin-eshop' }, t('signIn.eshop')), Object.assign(eshop, { id: 'signin-eshop' })),
    h('div', { class: 'field' }, h('label', { for: 'signin-key' }, t('signIn.key')), Object.assign(key, { id: 'signin-key' }),
      h('p', { class: 'hint' }, t('signIn.keyHint'))),
    message,
    h('div', { class: 'actions' }, submit));
  view.append(form);
  (eshop.value ? key : eshop).focus();
}

/** What the e-shop sees before it has added the Webhooks feature (or after removing it): what it is, and the button that adds it. */
function renderFeatureStep(view) {
  const message = h('p', { class: 'problem', role: 'alert', hidden: true });
  const add = h('button', {
    type: 'button', class: 'primary',
    onclick: async () => {
      add.disabled = true;
      const { ok } = await call('POST', shop('/features/webhooks'));
      add.disabled = false;
      if (!ok) {
        message.textContent = t('error.unexpected');
        message.hidden = false;
        return;
      }
      setFlash(t('feature.added'));
      route();
    },
  }, t('feature.add'));
  view.append(
    h('h1', { tabindex: '-1' }, t('list.title')),
    h('section', { class: 'card empty', 'aria-labelledby': 'feature-title' },
      h('h2', { id: 'feature-title' }, t('feature.title')),
      h('p', {}, t('feature.lead')),
      h('p', {}, t('feature.kept')),
      message,
      h('div', { class: 'actions' }, add)));
  focusHeading(view);
}

/** At the foot of the list: removing the feature, behind a disclosure and a second, explicit button. */
function featureRemoval() {
  const message = h('p', { class: 'problem', role: 'alert', hidden: true });
  const remove = h('button', {
    type: 'button', class: 'danger',
    onclick: async () => {
      remove.disabled = true;
      const { ok } = await call('DELETE', shop('/features/webhooks'));
      remove.disabled = false;
      if (!ok) {
        message.textContent = t('error.unexpected');
        message.hidden = false;
        return;
      }
      setFlash(t('feature.removed'));
      route();
    },
  }, t('feature.removeConfirm'));
  return h('details', { class: 'feature-removal' },
    h('summary', {}, t('feature.remove')),
    h('p', {}, t('feature.removeLead')),
    message,
    h('p', {}, remove));
}

/** One line saying whether a webhook works: from its health (last attempts) and why it is off, if it is. */
function healthOf(webhook) {
  const health = webhook.health;
  // The cause in the page's language; the API's English reason only for a cause this page does not know.
  const off = webhook.autoDisabled;
  const cause = off && `health.autoDisabled.${off.cause}`;
  if (off && tOr(cause, null)) {
    return { kind: 'bad', text: t(cause, { at: formatTime(off.at), since: formatTime(off.failingSince ?? off.at) }) };
  }
  if (webhook.disabledReason) return { kind: 'bad', text: t('health.autoDisabled', { reason: webhook.disabledReason }) };
  if (health.failing) {
    const failing = t('health.failing', { since: formatTime(health.failingSince), count: health.consecutiveFailures });
    const text = health.lastError ? `${failing} ${t('health.lastError', { error: health.lastError })}` : failing;
    // What happens if it goes on failing, while there is still time to fix it.
    return { kind: 'bad', text: health.disablesAt ? `${text} ${t('health.disablesAt', { at: formatTime(health.disablesAt) })}` : text };
  }
  if (health.lastSuccessAt) return { kind: 'good', text: t('health.working', { at: formatTime(health.lastSuccessAt) }) };
  return { kind: 'none', text: t('health.none') };
}

async function renderList(view) {
  const status = h('p', { class: 'status', role: 'status' });
  view.append(
    h('div', { class: 'title-row' },
      h('h1', { tabindex: '-1' }, t('list.title')),
      h('a', { href: '#/new', class: 'button primary' }, t('list.add'))),
    h('p', { class: 'lead' }, t('list.lead')),
    h('p', { class: 'subnav' }, h('a', { href: '#/notifications' }, t('list.notifications'))),
    status);
  const [{ json: webhooks }] = await Promise.all([call('GET', shop('/webhooks')), loadTriggers()]);

  if (!webhooks.length) {
    view.append(h('div', { class: 'card empty' },
      h('h2', {}, t('list.emptyTitle')),
      h('p', {}, t('list.empty')),
      h('a', { href: '#/new', class: 'button primary' }, t('list.add'))), featureRemoval());
    focusHeading(view);
    return;
  }

  view.append(h('ul', { class: 'webhooks' }, webhooks.map(webhook => {
    const health = healthOf(webhook);
    const switchId = `enabled-${webhook.id}`;
    const toggle = h('input', {
      type: 'checkbox', role: 'switch', id: switchId, checked: webhook.enabled,
      onchange: async () => {
        toggle.disabled = true;
        const { ok } = await call('POST', shop(`/webhooks/${webhook.id}/${toggle.checked ? 'enable' : 'disable'}`));
        toggle.disabled = false;
        if (!ok) toggle.checked = !toggle.checked;
        status.textContent = ok
          ? t(toggle.checked ? 'list.enabled' : 'list.disabled', { name: webhook.name })
          : t('error.unexpected');
      },
    });
    return h('li', {},
      h('article', { class: 'card webhook', 'aria-labelledby': `name-${webhook.id}` },
        h('div', { class: 'webhook-head' },
          h('h2', { id: `name-${webhook.id}` }, h('a', { href: `#/webhooks/${webhook.id}` }, webhook.name)),
          h('div', { class: 'switch' }, toggle, h('label', { for: switchId }, t('field.enabled')))),
        h('p', { class: 'trigger' }, triggerLabel(webhook.trigger)),
        h('p', { class: 'url' }, h('span', { class: 'method' }, webhook.method), ' ', h('code', {}, webhook.url)),
        h('p', { class: `health ${health.kind}` }, health.text),
        // Why it fails, while it does (or was switched off for it); what failed can be sent again once it works.
        health.kind === 'bad' ? explanationOf(webhook.health.explanation) : null,
        webhook.health.problemSince ? recoverControl(webhook, webhook.health.problemSince) : null,
        h('p', { class: 'card-actions' },
          h('a', { href: `#/webhooks/${webhook.id}` }, t('list.edit')),
          h('a', { href: `#/webhooks/${webhook.id}/deliveries` }, t('list.deliveries')))));
  })), featureRemoval());
  focusHeading(view);
}

document.getElementById('language').addEventListener('click', event => {
  setLanguage(event.currentTarget.dataset.language);
  translateStatic();
  route();
});

document.getElementById('sign-out').addEventListener('click', () => {
  session.clear();
  location.hash = '#/';
  route();
});

// A 401 in any click handler has already returned the page to sign-in; nothing more to report.
window.addEventListener('unhandledrejection', event => {
  if (event.reason instanceof SignedOut) event.preventDefault();
});
window.addEventListener('hashchange', route);
setLanguage(language());
translateStatic();
route();
