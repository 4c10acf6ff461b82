// A webhook's delivery log: newest first, filtered by status, each delivery expandable into its attempts.
import { call, shop } from './api.js';
import { field, h } from './dom.js';
import { formatTime, t } from './i18n.js';
import { focusHeading, triggerLabel } from './nav.js';
import { explanationOf, recoverControl } from './recover.js';
import { resyncControl } from './resync.js';

const pageSize = 20;
const refreshEvery = 3000;

export async function renderDeliveries(view, webhookId) {
  const { status, json: webhook } = await call('GET', shop(`/webhooks/${webhookId}`));
  if (status === 404) {
    view.append(h('h1', { tabindex: '-1' }, t('editor.notFound')), h('p', {}, h('a', { href: '#/' }, t('editor.back'))));
    focusHeading(view);
    return null;
  }
  const log = new DeliveryLog(view, webhook);
  await log.load();
  focusHeading(view);
  return () => log.leave();
}

class DeliveryLog {
  constructor(view, webhook) {
    this.webhook = webhook;
    this.items = [];
    this.nextCursor = null;
    this.filter = h('select', { onchange: () => this.load() },
      ['', 'pending', 'succeeded', 'failed'].map(value => h('option', { value }, t(value ? `status.${value}` : 'log.all'))));
    this.list = h('ul', { class: 'deliveries', 'aria-labelledby': 'log-title' });
    this.empty = h('p', { class: 'card empty', hidden: true }, t('log.empty'));
    this.more = h('button', { type: 'button', hidden: true, onclick: () => this.loadOlder() }, t('log.older'));
    this.statusLine = h('p', { class: 'status', role: 'status' });
    this.resync = resyncControl(webhook);
    view.append(
      h('h1', { tabindex: '-1', id: 'log-title' }, t('log.title', { name: webhook.name })),
      h('p', { class: 'lead' }, t('log.lead')),
      h('p', { class: 'subnav' },
        h('a', { href: `#/webhooks/${webhook.id}` }, t('log.edit')), h('a', { href: '#/' }, t('editor.back'))),
      h('div', { class: 'toolbar' },
        field({ id: 'status-filter', label: t('log.filter'), control: this.filter }),
        h('button', { type: 'button', onclick: () => this.refresh() }, t('log.refresh'))),
      // DOM append writes a null as the text "null": what is not there is left out instead.
      ...[webhook.health.problemSince ? recoverControl(webhook, webhook.health.problemSince) : null].filter(Boolean),
      this.resync.section,
      this.statusLine,
      this.empty,
      this.list,
      this.more);
    // Watching the log is how an owner sees a webhook working: it keeps itself current.
    this.timer = setInterval(() => this.refresh(), refreshEvery);
  }

  leave() {
    clearInterval(this.timer);
    this.resync.leave();
    this.left = true;
  }

  query(limit, cursor) {
    const params = new URLSearchParams({ limit: String(limit) });
    if (this.filter.value) params.set('status', this.filter.value);
    if (cursor) params.set('cursor', cursor);
    return call('GET', shop(`/webhooks/${this.webhook.id}/deliveries?${params}`));
  }

  async load() {
    const { json } = await this.query(pageSize);
    this.items = json.items;
    this.nextCursor = json.nextCursor;
    this.show();
  }

  async loadOlder() {
    const { json } = await this.query(pageSize, this.nextCursor);
    this.items = [...this.items, ...json.items.filter(d => !this.items.some(i => i.id === d.id))];
    this.nextCursor = json.nextCursor;
    this.show();
  }

  /** Reloads as many deliveries as are shown, so new ones appear on top and open ones update in place. */
  async refresh() {
    if (this.refreshing || this.left) return;
    this.refreshing = true;
    try {
      const { json } = await this.query(Math.min(500, Math.max(pageSize, this.items.length)));
      if (this.left) return;
      this.items = json.items;
      this.nextCursor = json.nextCursor;
      this.show();
    } finally {
      this.refreshing = false;
    }
  }

  /** Updates the list by delivery id: unchanged entries stay as they are, so an open one stays open and focus stays put. */
  show() {
    const existing = new Map([...this.list.children].map(li => [li.dataset.id, li]));
    const focusedId = document.activeElement?.closest?.('li[data-id]')?.dataset.id;
    const focusedAction = document.activeElement?.dataset?.action;
    const rows = this.items.map(delivery => {
      const json = JSON.stringify(delivery);
      const old = existing.get(delivery.id);
      if (old && old.dataset.json === json) return old;
      const li = this.renderDelivery(delivery, old?.querySelector('details').open ?? false);
      li.dataset.json = json;
      return li;
    });
    this.list.replaceChildren(...rows);
    if (focusedId && !this.list.contains(document.activeElement)) {
      const row = this.list.querySelector(`li[data-id="${focusedId}"]`);
      (row?.querySelector(`[data-action="${focusedAction}"]:not(:disabled)`) ?? row?.querySelector('summary'))?.focus();
    }
    this.empty.textContent = t(this.filter.value ? 'log.emptyFiltered' : 'log.empty');
    this.empty.hidden = this.items.length > 0;
    this.more.hidden = !this.nextCursor;
  }

  renderDelivery(delivery, open) {
    const last = delivery.attempts.at(-1);
    const result = last?.statusCode ? `HTTP ${last.statusCode}` : last?.error ?? '';
    const redeliver = h('button', {
      type: 'button', 'data-action': 'redeliver', disabled: delivery.status === 'pending' || Boolean(delivery.contentErasedAt),
      onclick: () => this.redeliver(delivery),
    }, t('log.redeliver'));
    return h('li', { 'data-id': delivery.id },
      h('details', { class: `delivery ${delivery.status}`, open },
        h('summary', {},
          h('span', { class: `badge ${delivery.status}` }, t(`status.${delivery.status}`)),
          result ? h('span', { class: 'result' }, result) : null,
          delivery.test ? h('span', { class: 'badge test' }, t('log.test')) : null,
          delivery.resyncJobId ? h('span', { class: 'badge test' }, t('log.resync')) : null,
          h('time', { datetime: delivery.scheduledAt }, formatTime(delivery.scheduledAt)),
          h('span', { class: 'count' }, t('log.attemptCount', { count: delivery.attempts.length }))),
        h('div', { class: 'delivery-body' },
          h('p', {}, t('log.trigger', { trigger: triggerLabel(delivery.trigger) })),
          delivery.status === 'pending' && delivery.nextAttemptAt
            ? h('p', {}, t('log.nextAttempt', { at: formatTime(delivery.nextAttemptAt) })) : null,
          delivery.failureReason
            ? h('p', { class: 'failure-reason' }, t('log.failureReason', { reason: delivery.failureReason })) : null,
          explanationOf(delivery.explanation),
          h('h3', {}, t('log.request')),
          h('pre', { class: 'http' }, requestText(delivery.request)),
          h('h3', {}, t('log.attempts')),
          delivery.attempts.length
            ? h('ol', { class: 'attempts' }, delivery.attempts.map(renderAttempt))
            : h('p', { class: 'hint' }, t('log.noAttempts')),
          h('p', { class: 'inline' }, redeliver,
            delivery.status === 'pending' ? h('span', { class: 'hint' }, t('log.redeliverPending')) : null))));
  }

  async redeliver(delivery) {
    const { status } = await call('POST', shop(`/deliveries/${delivery.id}/redeliver`));
    this.statusLine.textContent = t(status === 202 ? 'log.redelivering' : status === 409 ? 'log.redeliverPending' : 'error.unexpected');
    await this.refresh();
  }
}

function renderAttempt(attempt) {
  const good = attempt.statusCode >= 200 && attempt.statusCode < 300;
  return h('li', { class: `attempt ${good ? 'good' : 'bad'}` },
    h('p', { class: 'attempt-head' },
      h('strong', {}, t('log.attempt', { number: attempt.number })),
      attempt.trigger === 'manual' ? h('span', { class: 'badge' }, t('log.manual')) : null,
      h('time', { datetime: attempt.startedAt }, formatTime(attempt.startedAt))),
    h('dl', {},
      h('dt', {}, t('log.statusCode')), h('dd', {}, attempt.statusCode ? String(attempt.statusCode) : '–'),
      h('dt', {}, t('log.duration')), h('dd', {}, `${attempt.durationMs} ms`),
      attempt.error ? [h('dt', {}, t('log.error')), h('dd', {}, attempt.error)] : null,
      attempt.explanation ? [h('dt', {}, t('log.meaning')), h('dd', { class: 'meaning' }, attempt.explanation.text)] : null),
    attempt.responseBody
      ? [h('p', { class: 'hint' }, t(attempt.responseBodyTruncated ? 'log.responseTruncated' : 'log.response')),
        h('pre', { class: 'response' }, attempt.responseBody)]
      : null);
}

function requestText(request) {
  const lines = [`${request.method} ${request.url}`, ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`)];
  return request.body ? `${lines.join('\n')}\n\n${request.body}` : lines.join('\n');
}
