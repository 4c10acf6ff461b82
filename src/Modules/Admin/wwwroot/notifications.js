// The e-shop's alert settings: who hears when a webhook starts failing, will be or was switched off, or works again.
import { call, shop } from './api.js';
import { field, h, setFieldError } from './dom.js';
import { formatTime, language, t } from './i18n.js';
import { focusHeading } from './nav.js';

const fields = ['alert-language', 'timeZone', 'emails', 'emailAlerts', 'webhookUrl', 'webhookAlerts', 'failingAfterAttempts', 'failingAfterMinutes'];

export async function renderNotifications(view) {
  const { json: settings } = await call('GET', shop('/notifications'));
  const status = h('p', { class: 'status', role: 'status' });

  const lang = h('select', {}, ['cs', 'en'].map(code => h('option', { value: code, selected: settings.language === code }, t(`language.${code}`))));
  const zone = h('select', {}, timeZones(settings.timeZone).map(name => h('option', { value: name, selected: settings.timeZone === name }, name)));
  const emails = h('textarea', { rows: '3', spellcheck: 'false', autocomplete: 'email' });
  emails.value = settings.emails.join('\n');
  const url = h('input', { type: 'url', spellcheck: 'false', value: settings.webhookUrl ?? '' });
  const attempts = h('input', { type: 'number', min: '1', max: '100', inputmode: 'numeric', value: String(settings.failingAfterAttempts) });
  const minutes = h('input', { type: 'number', min: '1', max: '10080', inputmode: 'numeric', value: String(settings.failingAfterMinutes) });
  const emailChoice = alertChoice('emailAlerts', t('notifications.emailAlerts'), settings.alertKinds, settings.emailAlerts);
  const webhookChoice = alertChoice('webhookAlerts', t('notifications.webhookAlerts'), settings.alertKinds, settings.webhookAlerts);

  const save = h('button', { type: 'submit', class: 'primary' }, t('editor.save'));
  const form = h('form', {
    class: 'card', novalidate: true,
    onsubmit: async event => {
      event.preventDefault();
      for (const name of fields) setFieldError(name, []);
      save.disabled = true;
      const body = {
        language: lang.value,
        timeZone: zone.value,
        emails: emails.value.split(/[\n,;]/).map(e => e.trim()).filter(Boolean),
        emailAlerts: emailChoice.selected(),
        webhookUrl: url.value.trim() || null,
        webhookAlerts: webhookChoice.selected(),
        failingAfterAttempts: Number(attempts.value),
        failingAfterMinutes: Number(minutes.value),
      };
      const { ok, json } = await call('PUT', shop('/notifications'), body);
      save.disabled = false;
      if (ok) {
        status.textContent = t('notifications.saved');
        secret.replaceChildren(...secretOf(json));
        return;
      }
      showErrors(json?.errors ?? {});
      status.textContent = t('notifications.fix');
    },
  },
    field({ id: 'emails', label: t('notifications.emails'), hint: t('notifications.emailsHint'), control: emails }),
    settings.emailAvailable ? null : h('p', { class: 'hint notice' }, t('notifications.noEmail')),
    emailChoice.element,
    field({ id: 'webhookUrl', label: t('notifications.webhookUrl'), hint: t('notifications.webhookUrlHint'), control: url }),
    webhookChoice.element,
    // Not "language": the page's language switch has that id.
    field({ id: 'alert-language', label: t('notifications.language'), control: lang }),
    field({ id: 'timeZone', label: t('notifications.timeZone'), hint: t('notifications.timeZoneHint'), control: zone }),
    h('fieldset', { class: 'field thresholds' },
      h('legend', {}, t('notifications.thresholds')),
      field({ id: 'failingAfterAttempts', label: t('notifications.attempts'), control: attempts }),
      field({ id: 'failingAfterMinutes', label: t('notifications.minutes'), control: minutes })),
    h('div', { class: 'actions' }, save, status));
  const secret = h('div', { class: 'secret-line' }, ...secretOf(settings));

  view.append(
    h('h1', { tabindex: '-1' }, t('notifications.title')),
    h('p', { class: 'lead' }, t('notifications.lead')),
    h('p', { class: 'subnav' }, h('a', { href: '#/' }, t('editor.back'))),
    form, secret);
  focusHeading(view);
}

/** The zones the browser knows (IANA names, as the API takes them), with the saved one and UTC sure to be among them. */
function timeZones(saved) {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([saved, 'UTC', ...known])].sort();
}

/** The operational webhook's signing secret, once it has a URL, and a rotation that keeps the old one signing for a day. */
function secretOf(settings) {
  if (!settings.webhookSecret) return [];
  const code = h('code', { class: 'secret' }, settings.webhookSecret);
  const status = h('p', { class: 'status', role: 'status' },
    settings.previousWebhookSecretExpiresAt ? t('secret.rotated', { until: formatTime(settings.previousWebhookSecretExpiresAt) }) : '');
  const rotate = h('button', {
    type: 'button', class: 'small',
    onclick: async () => {
      if (!confirm(t('secret.confirmRotate'))) return;
      const { ok, json } = await call('POST', shop('/notifications/secret/rotate'));
      if (!ok) {
        status.textContent = t('error.unexpected');
        return;
      }
      code.textContent = json.secret;
      status.textContent = t('secret.rotated', { until: formatTime(json.previousSecretExpiresAt) });
    },
  }, t('secret.rotate'));
  return [h('p', {}, t('notifications.secret')), code, h('p', {}, rotate), status];
}

/** A group of check boxes, one per kind of alert, each labelled in words. */
function alertChoice(id, legend, kinds, chosen) {
  const boxes = kinds.map(kind => {
    const box = h('input', { type: 'checkbox', id: `${id}-${kind}`, value: kind, checked: chosen.includes(kind) });
    return { kind, box, row: h('div', { class: 'check' }, box, h('label', { for: `${id}-${kind}` }, t(`alert.${kind}`))) };
  });
  const error = h('p', { class: 'error', id: `${id}-error`, hidden: true });
  return {
    element: h('fieldset', { class: 'field alerts', 'data-field': id, 'aria-describedby': `${id}-error` },
      h('legend', {}, legend), boxes.map(b => b.row), error),
    selected: () => boxes.filter(b => b.box.checked).map(b => b.kind),
  };
}

/** Each error next to its field: in English as the API words it, in Czech by the field. */
function showErrors(errors) {
  const english = language() === 'en';
  for (const name of fields) {
    const key = name === 'alert-language' ? 'language' : name;
    const messages = Object.entries(errors).filter(([k]) => k === key || k.startsWith(`${key}[`)).flatMap(([, m]) => m);
    if (messages.length) setFieldError(name, english ? messages : [t(`notifications.error.${key}`)]);
  }
  const first = fields.find(name => !document.getElementById(`${name}-error`)?.hidden);
  (document.getElementById(first) ?? document.getElementById(`${first}-failing`))?.focus();
}
