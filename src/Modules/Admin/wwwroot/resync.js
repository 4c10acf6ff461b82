// "Send every customer's current state through this webhook": a job the owner starts, watches and can stop.
import { call, shop } from './api.js';
import { h } from './dom.js';
import { formatNumber, formatTime, t } from './i18n.js';

const pollEvery = 1000;

/** The resync section of a webhook's delivery log; returns it and a function that stops its polling. */
export function resyncControl(webhook) {
  const conditional = (webhook.conditions ?? []).length > 0;
  const onlyMatching = h('input', { type: 'checkbox', id: 'resync-only-matching', checked: true });
  const start = h('button', { type: 'button', 'data-action': 'resync', onclick: () => ask() }, t('resync.button'));
  const starting = h('p', { class: 'inline' }, start);
  const confirmation = h('div', { class: 'confirm', hidden: true });
  const progress = h('progress', { max: 100, value: 0, 'aria-labelledby': 'resync-title' });
  const summary = h('p', { class: 'summary', role: 'status' });
  const stop = h('button', { type: 'button', 'data-action': 'resync-cancel', onclick: () => cancel() }, t('resync.stop'));
  const running = h('div', { class: 'running', hidden: true }, progress, h('p', { class: 'inline' }, stop));
  let job = null;
  let timer = null;

  const section = h('section', { class: 'card resync', 'aria-labelledby': 'resync-title' },
    h('h2', { id: 'resync-title' }, t('resync.title')),
    h('p', { class: 'hint' }, t('resync.lead')),
    conditional ? h('p', { class: 'check' }, onlyMatching, h('label', { for: onlyMatching.id }, t('resync.onlyMatching'))) : null,
    starting,
    confirmation, running, summary);

  function ask() {
    const send = h('button', { type: 'button', class: 'primary', 'data-action': 'resync-confirm', onclick: () => begin() }, t('resync.confirm'));
    const back = h('button', { type: 'button', onclick: () => close() }, t('resync.back'));
    confirmation.replaceChildren(
      h('p', {}, t(conditional && onlyMatching.checked ? 'resync.questionMatching' : 'resync.question', { name: webhook.name })),
      h('p', { class: 'inline' }, send, back));
    confirmation.hidden = false;
    starting.hidden = true;
    send.focus();
  }

  function close() {
    confirmation.hidden = true;
    confirmation.replaceChildren();
    starting.hidden = false;
  }

  async function begin() {
    for (const button of confirmation.querySelectorAll('button')) button.disabled = true;
    const { status, json } = await call('POST', shop(`/webhooks/${webhook.id}/resyncs`), { onlyMatching: conditional && onlyMatching.checked });
    close();
    if (status === 202) show(json);
    else summary.textContent = status === 409 && json?.title === 'Resync in progress' ? t('resync.already') : json?.detail ?? t('error.unexpected');
  }

  async function cancel() {
    stop.disabled = true;
    const { ok, json } = await call('POST', shop(`/webhooks/${webhook.id}/resyncs/${job.id}/cancel`));
    stop.disabled = false;
    if (ok) show(json);
    else await refresh();
  }

  async function refresh() {
    if (!job) return;
    const { ok, json } = await call('GET', shop(`/webhooks/${webhook.id}/resyncs/${job.id}`));
    if (ok) show(json);
  }

  function show(current) {
    job = current;
    const counts = {
      processed: formatNumber(current.processed), total: formatNumber(current.total), percent: current.percent,
      sent: formatNumber(current.sent), skipped: formatNumber(current.skipped), at: formatTime(current.endedAt ?? current.startedAt),
    };
    const isRunning = current.status === 'running';
    running.hidden = !isRunning;
    starting.hidden = isRunning;
    progress.value = current.percent;
    progress.setAttribute('aria-valuetext', t('resync.progress', counts));
    summary.textContent = isRunning ? t('resync.progress', counts)
      : current.status === 'completed' ? t('resync.completed', counts)
      : t('resync.cancelled', { ...counts, reason: current.cancelledBy === 'system' ? t('resync.stoppedBySystem') : '' }).trim();
    clearTimeout(timer);
    if (isRunning) timer = setTimeout(refresh, pollEvery);
  }

  // The latest job, so that one still running is shown, with its progress, to whoever opens the log.
  call('GET', shop(`/webhooks/${webhook.id}/resyncs`)).then(({ ok, json }) => { if (ok && json.length) show(json[0]); });

  return { section, leave: () => { clearTimeout(timer); job = null; } };
}
