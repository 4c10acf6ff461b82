// "Resend everything that failed since the problem began": the count is asked for first, so the owner confirms knowing how many.
import { call, loadDefaults, shop } from './api.js';
import { h } from './dom.js';
import { formatNumber, formatTime, t } from './i18n.js';

/** What the owner reads first about a failure: what happened and what to do, from the API's explanation. */
export function explanationOf(explanation) {
  if (!explanation) return null;
  return h('div', { class: 'explanation' },
    h('p', {}, explanation.text),
    h('p', { class: 'fix' }, h('strong', {}, t('explain.fix')), ' ', explanation.fix));
}

/** The button and its confirmation, for a webhook whose latest problem began at problemSince. */
export function recoverControl(webhook, problemSince) {
  const status = h('p', { class: 'status', role: 'status' });
  const confirmation = h('div', { class: 'confirm', hidden: true });
  const start = h('button', { type: 'button', 'data-action': 'recover', onclick: () => ask() }, t('recover.button'));

  async function ask() {
    start.disabled = true;
    status.textContent = '';
    try {
      // Deliveries older than the retention period have lost their content: the API refuses to reach further back.
      const { contentRetentionDays } = await loadDefaults();
      const earliest = Date.now() - contentRetentionDays * 86_400_000 + 60_000;
      const since = new Date(Math.max(Date.parse(problemSince), earliest)).toISOString();
      const { ok, json } = await call('GET', shop(`/webhooks/${webhook.id}/recover?since=${encodeURIComponent(since)}`));
      if (!ok) {
        status.textContent = t('error.unexpected');
        return;
      }
      if (json.failed === 0) {
        status.textContent = t('recover.nothing', { since: formatTime(since) });
        return;
      }
      const send = h('button', { type: 'button', class: 'primary', 'data-action': 'recover-confirm', onclick: () => recover(since, json.failed) },
        t('recover.confirm', { count: formatNumber(json.failed) }));
      const cancel = h('button', { type: 'button', onclick: () => close() }, t('recover.cancel'));
      confirmation.replaceChildren(
        h('p', {}, t('recover.question', { count: formatNumber(json.failed), since: formatTime(since) })),
        h('p', { class: 'inline' }, send, cancel));
      confirmation.hidden = false;
      start.hidden = true;
      send.focus();
    } finally {
      start.disabled = false;
    }
  }

  function close() {
    confirmation.hidden = true;
    confirmation.replaceChildren();
    start.hidden = false;
    start.focus();
  }

  async function recover(since, count) {
    for (const button of confirmation.querySelectorAll('button')) button.disabled = true;
    const { status: code } = await call('POST', shop(`/webhooks/${webhook.id}/recover`), { since });
    close();
    status.textContent = t(code === 202 ? 'recover.started' : code === 409 ? 'recover.running' : 'error.unexpected',
      { count: formatNumber(count) });
  }

  return h('div', { class: 'recover' }, start, confirmation, status);
}
