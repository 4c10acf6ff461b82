// Create / edit a webhook, with a live preview of the exact request, "Send test" and the signing secret.
import { call, loadDefaults, loadTriggers, shop } from './api.js';
import { field, h, setFieldError } from './dom.js';
import { formatDelay, formatTime, language, t, tOr } from './i18n.js';
import { focusHeading, navigate, setFlash, triggerLabel } from './nav.js';

const exampleBody = '{\n  "eshop": "#account.eshopId#",\n  "email": "#customer.email#",\n  "credit": #customer.credit#\n}';
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const reservedHeaders = ['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'user-agent'];
const fieldsWithErrors = ['name', 'trigger', 'conditions', 'url', 'body', 'retry', 'rate', 'headers'];
const numberOperators = ['=', '!=', '<', '<=', '>', '>='];
const textOperators = ['=', '!=', 'contains', 'startsWith', 'isEmpty', 'isNotEmpty'];
const takesValue = op => op !== 'isEmpty' && op !== 'isNotEmpty';
const isNumber = text => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim());

/** When each attempt goes out: at once, then after each delay of the schedule. */
const attemptTimes = schedule => [t('delay.now'), ...schedule.map(formatDelay)].join(', ');

export async function renderEditor(view, webhookId) {
  const [triggers, defaults] = await Promise.all([loadTriggers(), loadDefaults()]);
  let webhook = null;
  if (webhookId) {
    const { status, json } = await call('GET', shop(`/webhooks/${webhookId}`));
    if (status === 404) {
      view.append(h('h1', { tabindex: '-1' }, t('editor.notFound')), h('p', {}, h('a', { href: '#/' }, t('editor.back'))));
      focusHeading(view);
      return null;
    }
    webhook = json;
  }
  const editor = new Editor(view, triggers, defaults, webhook);
  return () => editor.leave();
}

class Editor {
  constructor(view, triggers, defaults, webhook) {
    this.triggers = triggers;
    this.defaults = defaults;
    this.webhook = webhook;
    this.touched = new Set();
    this.headersChanged = false;
    this.dirty = false;
    this.previewRun = 0;
    this.timers = new Set();
    this.render(view);
    this.showTrigger();
    this.preview();
    focusHeading(view);
  }

  leave() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.left = true;
  }

  later(action, ms) {
    const timer = setTimeout(() => { this.timers.delete(timer); action(); }, ms);
    this.timers.add(timer);
    return timer;
  }

  get trigger() {
    return this.triggers.find(tr => tr.name === this.triggerSelect.value) ?? this.triggers[0];
  }

  render(view) {
    const w = this.webhook;
    this.name = h('input', { type: 'text', maxlength: '200', autocomplete: 'off', value: w?.name ?? '' });
    this.enabled = h('input', { type: 'checkbox', role: 'switch', id: 'enabled', checked: w ? w.enabled : true });
    this.triggerSelect = h('select', {}, this.triggers.map(tr =>
      h('option', { value: tr.name, selected: tr.name === w?.trigger }, triggerLabel(tr.name))));
    this.triggerHelp = h('p', { class: 'hint', id: 'trigger-description' });
    this.url = h('input', { type: 'text', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', value: w?.url ?? '',
      placeholder: 'https://' });
    this.body = h('textarea', { rows: '9', spellcheck: 'false', autocomplete: 'off', class: 'code', value: w?.body ?? '' });
    this.bodyExcerpt = h('pre', { class: 'excerpt', hidden: true, 'aria-hidden': 'true' });
    this.exampleButton = h('button', { type: 'button', class: 'small', onclick: () => this.useExampleBody() }, t('body.example'));

    const form = h('form', { class: 'editor-form', novalidate: true, onsubmit: event => this.save(event) },
      field({ id: 'name', label: t('field.name'), hint: t('field.nameHint'), control: this.name }),
      h('div', { class: 'field switch' }, this.enabled, h('label', { for: 'enabled' }, t('field.enabled')),
        h('p', { class: 'hint' }, t('field.enabledHint'))),
      field({ id: 'trigger', label: t('field.trigger'), control: this.triggerSelect, extra: this.triggerHelp }),
      this.renderConditions(),
      field({ id: 'url', label: t('field.url'), hint: t('field.urlHint'), control: this.url }),
      field({ id: 'body', label: t('field.body'), hint: t('field.bodyHint'), control: this.body,
        extra: [this.bodyExcerpt, this.exampleButton] }),
      this.renderInsertVariable(),
      this.renderHeaders(),
      this.renderRetry(),
      this.renderRate(),
      this.renderOrdering(),
      this.renderActions());
    this.triggerSelect.setAttribute('aria-describedby', 'trigger-description trigger-error');

    form.addEventListener('input', event => {
      if (event.target === this.variableSelect) return;
      this.dirty = true;
      this.updateTestNote();
    });
    for (const [control, name] of [[this.url, 'url'], [this.body, 'body']]) {
      control.addEventListener('input', () => { this.touched.add(name); this.schedulePreview(); });
    }
    this.body.addEventListener('input', () => this.updateExampleButton());
    this.triggerSelect.addEventListener('change', () => { this.showTrigger(); this.schedulePreview(); });
    this.conditionRows.addEventListener('input', () => this.schedulePreview());
    this.conditionRows.addEventListener('change', () => this.schedulePreview());
    this.updateExampleButton();

    view.append(...[
      h('h1', { tabindex: '-1' }, w ? t('editor.editTitle', { name: w.name }) : t('editor.newTitle')),
      h('p', { class: 'lead' }, t('editor.lead')),
      w ? h('p', { class: 'subnav' },
        h('a', { href: `#/webhooks/${w.id}/deliveries` }, t('list.deliveries')), h('a', { href: '#/' }, t('editor.back'))) : null,
      h('div', { class: 'editor' },
        form,
        h('div', { class: 'side' }, this.renderPreview(), w ? this.renderTest() : h('section', { class: 'card' },
          h('h2', {}, t('test.title')), h('p', {}, t('test.afterSave'))), w ? this.renderSecret() : null))].filter(Boolean));
  }

  renderInsertVariable() {
    this.variableSelect = h('select', { id: 'variable', 'aria-describedby': 'variable-help insert-target' });
    this.variableHelp = h('p', { class: 'hint', id: 'variable-help' });
    this.insertTarget = h('p', { class: 'hint', id: 'insert-target' }, t('insert.intoBody'));
    this.variableSelect.addEventListener('change', () => this.showVariable());
    // The field the variable goes into is the URL or body field last used, at its caret.
    this.target = this.body;
    this.carets = new Map([[this.url, null], [this.body, null]]);
    for (const control of [this.url, this.body]) {
      const remember = () => {
        this.target = control;
        this.carets.set(control, [control.selectionStart, control.selectionEnd]);
        this.insertTarget.textContent = t(control === this.url ? 'insert.intoUrl' : 'insert.intoBody');
      };
      for (const type of ['focus', 'select', 'keyup', 'click', 'input']) control.addEventListener(type, remember);
    }
    return h('div', { class: 'field insert' },
      h('label', { for: 'variable' }, t('insert.label')),
      h('div', { class: 'inline' }, this.variableSelect,
        h('button', { type: 'button', onclick: () => this.insertVariable() }, t('insert.button'))),
      this.variableHelp, this.insertTarget);
  }

  /** The rule builder: rows of variable, operator and value, all of which must hold for an event to be sent. */
  renderConditions() {
    this.conditionRows = h('div', { class: 'condition-rows' });
    for (const condition of this.webhook?.conditions ?? []) this.addConditionRow(condition);
    this.addConditionButton = h('button', {
      type: 'button', class: 'small',
      onclick: () => { this.addConditionRow(null).focus(); this.dirty = true; this.schedulePreview(); },
    }, t('conditions.add'));
    return h('fieldset', { class: 'field conditions', 'data-field': 'conditions', 'aria-describedby': 'conditions-hint conditions-error' },
      h('legend', {}, t('conditions.legend')),
      h('p', { class: 'hint', id: 'conditions-hint' }, t('conditions.hint')),
      this.conditionRows,
      this.addConditionButton,
      h('p', { class: 'error', id: 'conditions-error', hidden: true }));
  }

  addConditionRow(condition) {
    const index = this.conditionCount = (this.conditionCount ?? 0) + 1;
    const variable = h('select', { id: `condition-variable-${index}` });
    const operator = h('select', { id: `condition-operator-${index}` });
    const value = h('input', { type: 'text', id: `condition-value-${index}`, autocomplete: 'off', spellcheck: 'false',
      value: condition?.value ?? '' });
    const error = h('p', { class: 'error', id: `condition-${index}-error`, hidden: true });
    for (const control of [variable, operator, value]) control.setAttribute('aria-describedby', error.id);
    const valueField = h('div', {}, h('label', { for: value.id }, t('conditions.value')), value);
    const row = h('div', { class: 'condition-row', 'data-index': String(index) },
      h('div', {}, h('label', { for: variable.id }, t('conditions.variable')), variable),
      h('div', {}, h('label', { for: operator.id }, t('conditions.operator')), operator),
      valueField,
      h('button', {
        type: 'button', class: 'small', 'aria-label': t('conditions.removeNumbered', { number: index }),
        onclick: () => { row.remove(); this.dirty = true; this.schedulePreview(); this.addConditionButton.focus(); },
      }, t('conditions.remove')),
      error);
    row.controls = { variable, operator, value, valueField, error };
    this.fillConditionVariables(row, condition?.variable);
    this.fillConditionOperators(row, condition?.operator);
    variable.addEventListener('change', () => this.fillConditionOperators(row, operator.value));
    operator.addEventListener('change', () => this.showConditionValue(row));
    this.conditionRows.append(row);
    return variable;
  }

  /** The trigger's variables; one it does not carry (after a change of trigger) stays, and the preview warns about it. */
  fillConditionVariables(row, chosen) {
    const variables = [...this.trigger.variables];
    const all = this.triggers.flatMap(tr => tr.variables);
    if (chosen && !variables.some(v => v.name === chosen)) variables.push(all.find(v => v.name === chosen) ?? { name: chosen });
    row.controls.variable.replaceChildren(...variables.map(v =>
      h('option', { value: v.name, selected: v.name === chosen }, v.description ? `${v.name} – ${tOr(`variable.${v.name}`, v.description)}` : v.name)));
  }

  variableType(name) {
    return this.triggers.flatMap(tr => tr.variables).find(v => v.name === name)?.type ?? 'text';
  }

  fillConditionOperators(row, chosen) {
    const operators = this.variableType(row.controls.variable.value) === 'number' ? numberOperators : textOperators;
    row.controls.operator.replaceChildren(...operators.map(op =>
      h('option', { value: op, selected: op === chosen }, t(`operator.${op}`))));
    this.showConditionValue(row);
  }

  showConditionValue(row) {
    const { operator, value, valueField } = row.controls;
    valueField.hidden = !takesValue(operator.value);
    value.inputMode = this.variableType(row.controls.variable.value) === 'number' ? 'decimal' : 'text';
  }

  /** The conditions as typed, and the rows whose value is missing or not a number, checked here first. */
  readConditions() {
    const conditions = [];
    const complete = [];
    const problems = [];
    for (const row of this.conditionRows.children) {
      const { variable, operator, value } = row.controls;
      const condition = { variable: variable.value, operator: operator.value };
      let problem = null;
      if (takesValue(operator.value)) {
        condition.value = value.value;
        if (!value.value.trim() && operator.value !== '=' && operator.value !== '!=') problem = t('error.conditionValue');
        else if (this.variableType(variable.value) === 'number' && !isNumber(value.value)) problem = t('error.conditionNumber');
      }
      conditions.push(condition);
      if (problem) problems.push([row, problem]);
      else complete.push(condition);
    }
    return { conditions, complete, problems };
  }

  /** Errors named conditions[i].variable (or .operator, .value) go under row i. */
  showConditionErrors(errors) {
    [...this.conditionRows.children].forEach((row, i) => {
      const messages = Object.entries(errors).filter(([key]) => key === `conditions[${i}]` || key.startsWith(`conditions[${i}].`))
        .flatMap(([key, m]) => (language() === 'en' ? m : [t(key.endsWith('.value') ? 'error.conditionValueInvalid' : 'error.conditionRule')]));
      this.setRowError(row, messages);
    });
    setFieldError('conditions', errors.conditions ? (language() === 'en' ? errors.conditions : [t('error.conditions')]) : []);
  }

  setRowError(row, messages) {
    const { error, variable, operator, value } = row.controls;
    error.replaceChildren(...messages.flatMap((m, i) => (i ? [h('br'), m] : [m])));
    error.hidden = messages.length === 0;
    for (const control of [variable, operator, value]) control.toggleAttribute('aria-invalid', messages.length > 0);
  }

  showTrigger() {
    const trigger = this.trigger;
    this.triggerHelp.textContent = tOr(`triggerHelp.${trigger.name}`, trigger.description);
    for (const row of this.conditionRows?.children ?? []) {
      this.fillConditionVariables(row, row.controls.variable.value);
      this.fillConditionOperators(row, row.controls.operator.value);
    }
    const chosen = this.variableSelect.value;
    this.variableSelect.replaceChildren(...trigger.variables.map(v =>
      h('option', { value: v.name, selected: v.name === chosen }, `#${v.name}# – ${tOr(`variable.${v.name}`, v.description)}`)));
    this.showVariable();
  }

  showVariable() {
    const variable = this.trigger.variables.find(v => v.name === this.variableSelect.value);
    this.variableHelp.textContent = variable
      ? t('insert.sample', { description: tOr(`variable.${variable.name}`, variable.description), sample: variable.sample })
      : '';
  }

  insertVariable() {
    const control = this.target;
    const text = `#${this.variableSelect.value}#`;
    const length = control.value.length;
    const [start, end] = this.carets.get(control) ?? [length, length];
    control.setRangeText(text, Math.min(start, length), Math.min(end, length), 'end');
    control.focus();
    control.dispatchEvent(new Event('input', { bubbles: true }));
    this.status(t('insert.done', { variable: text, field: t(control === this.url ? 'field.url' : 'field.body') }));
  }

  useExampleBody() {
    this.body.value = exampleBody;
    this.body.focus();
    this.body.dispatchEvent(new Event('input', { bubbles: true }));
  }

  updateExampleButton() {
    this.exampleButton.hidden = this.body.value.trim() !== '';
  }

  renderHeaders() {
    this.headerRows = h('div', { class: 'header-rows' });
    const existing = Object.keys(this.webhook?.headers ?? {});
    for (const name of existing) this.addHeaderRow(name, '', true);
    this.addHeaderButton = h('button', {
      type: 'button', class: 'small', onclick: () => { this.addHeaderRow('', '', false).focus(); this.changeHeaders(); },
    }, t('headers.add'));
    return h('fieldset', { class: 'field headers', 'aria-describedby': 'headers-hint headers-error' },
      h('legend', {}, t('headers.legend')),
      h('p', { class: 'hint', id: 'headers-hint' }, t(existing.length ? 'headers.hintSaved' : 'headers.hint')),
      this.headerRows,
      this.addHeaderButton,
      h('p', { class: 'error', id: 'headers-error', hidden: true }));
  }

  addHeaderRow(name, value, saved) {
    const index = this.headerCount = (this.headerCount ?? 0) + 1;
    const nameInput = h('input', { type: 'text', id: `header-name-${index}`, autocomplete: 'off', spellcheck: 'false', value: name,
      placeholder: 'Authorization' });
    const valueInput = h('input', { type: 'text', id: `header-value-${index}`, autocomplete: 'off', spellcheck: 'false', value,
      placeholder: saved ? t('headers.savedValue') : '' });
    const row = h('div', { class: 'header-row' },
      h('div', {}, h('label', { for: nameInput.id }, t('headers.name')), nameInput),
      h('div', {}, h('label', { for: valueInput.id }, t('headers.value')), valueInput),
      h('button', {
        type: 'button', class: 'small', 'aria-label': t('headers.removeNamed', { name: name || t('headers.new') }),
        onclick: () => { row.remove(); this.changeHeaders(); this.addHeaderButton.focus(); },
      }, t('headers.remove')));
    for (const input of [nameInput, valueInput]) input.addEventListener('input', () => this.changeHeaders());
    this.headerRows.append(row);
    return nameInput;
  }

  changeHeaders() {
    this.headersChanged = true;
    this.dirty = true;
    this.schedulePreview();
  }

  /** The custom headers as typed, and what is wrong with them, checked here so a half-saved webhook is unlikely. */
  readHeaders() {
    const headers = {};
    const problems = [];
    for (const row of this.headerRows.children) {
      const [nameInput, valueInput] = row.querySelectorAll('input');
      const name = nameInput.value.trim();
      const value = valueInput.value;
      if (!name && !value) continue;
      if (!headerName.test(name)) problems.push(t('headers.badName', { name }));
      else if (reservedHeaders.includes(name.toLowerCase()) || name.toLowerCase().startsWith('webhook-')) problems.push(t('headers.reserved', { name }));
      else if (!value) problems.push(t('headers.valueRequired', { name }));
      else headers[name] = value;
    }
    return { headers, problems };
  }

  renderRetry() {
    const schedule = this.webhook?.retrySchedule;
    this.retry = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', value: schedule ? schedule.join(', ') : '' });
    this.retryHuman = h('p', { class: 'hint', 'aria-live': 'polite' });
    this.retry.addEventListener('input', () => this.showRetry());
    const details = h('details', { class: 'retry', open: Boolean(schedule) },
      h('summary', {}, t('retry.summary')),
      h('p', { class: 'hint' }, t('retry.default', {
        list: attemptTimes(this.defaults.retrySchedule),
        count: this.defaults.retrySchedule.length + 1,
        span: formatDelay(this.defaults.retrySchedule.reduce((sum, delay) => sum + delay, 0)),
      })),
      field({ id: 'retry', label: t('retry.label'), hint: t('retry.hint'), control: this.retry, extra: this.retryHuman }));
    this.showRetry();
    return details;
  }

  /** At most so many requests per second or minute; empty for no limit. */
  renderRate() {
    const limit = this.webhook?.rateLimit;
    this.rate = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', value: limit ? String(limit.requests) : '' });
    this.ratePer = h('select', { id: 'rate-per' },
      ['second', 'minute'].map(per => h('option', { value: per, selected: per === (limit?.per ?? 'second') }, t(`rate.${per}`))));
    return h('details', { class: 'retry rate', open: Boolean(limit) },
      h('summary', {}, t('rate.summary')),
      field({ id: 'rate', label: t('rate.label'), hint: t('rate.hint'), control: this.rate,
        extra: h('div', { class: 'inline' }, h('label', { for: 'rate-per' }, t('rate.per')), this.ratePer) }));
  }

  /** Deliveries for one customer one after another, in the order of the events, or (the default) as soon as each can go. */
  renderOrdering() {
    const ordered = this.webhook?.ordering === 'perCustomer';
    this.ordered = h('input', { type: 'checkbox', id: 'ordered', checked: ordered, 'aria-describedby': 'ordered-hint' });
    return h('details', { class: 'retry ordering', open: ordered },
      h('summary', {}, t('ordering.summary')),
      h('div', { class: 'field switch' }, this.ordered, h('label', { for: 'ordered' }, t('ordering.label')),
        h('p', { class: 'hint', id: 'ordered-hint' }, t('ordering.hint'))));
  }

  /** The typed limit: null for none, undefined when it is not a whole number in range. */
  readRate() {
    const text = this.rate.value.trim();
    if (!text) return null;
    const most = this.ratePer.value === 'minute' ? 3000 : 50;
    if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > most) return undefined;
    return { requests: Number(text), per: this.ratePer.value };
  }

  /** The typed schedule: null for the default, undefined when it is not a list of whole seconds. */
  readRetry() {
    const text = this.retry.value.trim();
    if (!text) return null;
    const parts = text.split(/[\s,;]+/).filter(Boolean);
    if (!parts.every(p => /^\d{1,6}$/.test(p))) return undefined;
    return parts.map(Number);
  }

  showRetry() {
    const schedule = this.readRetry();
    this.retryHuman.textContent = schedule
      ? t('retry.human', { list: attemptTimes(schedule) })
      : '';
  }

  renderActions() {
    this.statusLine = h('p', { class: 'status', role: 'status' });
    return h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('editor.save')),
      h('a', { href: '#/', class: 'button' }, t('editor.cancel')),
      this.webhook ? h('button', { type: 'button', class: 'danger', onclick: () => this.remove() }, t('editor.delete')) : null,
      this.statusLine);
  }

  status(text) {
    this.statusLine.textContent = text;
  }

  renderPreview() {
    this.previewBody = h('div', { class: 'preview-body' });
    return h('section', { class: 'card preview', 'aria-labelledby': 'preview-title' },
      h('h2', { id: 'preview-title' }, t('preview.title')),
      h('p', { class: 'hint' }, t('preview.lead')),
      h('div', { 'aria-live': 'polite' }, this.previewBody));
  }

  schedulePreview() {
    clearTimeout(this.previewTimer);
    this.timers.delete(this.previewTimer);
    this.previewTimer = this.later(() => this.preview(), 250);
  }

  async preview() {
    const run = ++this.previewRun;
    // Without a URL yet, the body is still checked (against a stand-in URL), so JSON mistakes show at once.
    const missingUrl = !this.url.value.trim();
    const { status, json } = await call('POST', shop('/webhooks/preview'), {
      trigger: this.trigger.name, url: missingUrl ? 'https://example.invalid/' : this.url.value, body: this.body.value,
      // Only the rows filled in: one just added is not an error yet (saving says what is missing).
      conditions: this.readConditions().complete,
    });
    if (run !== this.previewRun || this.left) return;
    if (missingUrl) {
      this.showProblem(status === 200 ? { warnings: json.warnings } : json ?? {}, ['body']);
      this.previewBody.replaceChildren(h('p', { class: 'hint' }, t('preview.needUrl')));
      return;
    }
    if (status === 200) {
      this.showProblem({ errors: {}, warnings: json.warnings }, ['url', 'body']);
      this.previewBody.replaceChildren(...[this.sentLine(json), h('pre', { class: 'http' }, this.requestText(json)),
        this.warningList(json.warnings)].filter(Boolean));
      return;
    }
    this.showProblem(json ?? {}, ['url', 'body'].filter(name => this.touched.has(name)));
    this.previewBody.replaceChildren(h('p', { class: 'problem' }, t('preview.fix')));
  }

  /** Whether the trigger's sample meets the conditions: sent, or which condition it does not meet and with what value. */
  sentLine(preview) {
    if (!preview.conditions.length) return null;
    const unmet = preview.conditions.find(c => !c.holds);
    if (!unmet) return h('p', { class: 'outcome good' }, t('conditions.sampleSent'));
    return h('p', { class: 'outcome bad' }, t('conditions.sampleSkipped', {
      condition: `${unmet.variable} ${t(`operator.${unmet.operator}`)}${unmet.value === null ? '' : ` ${unmet.value}`}`,
      sample: unmet.sample === '' ? t('conditions.emptySample') : unmet.sample,
    }));
  }

  /** The request as it travels: request line, headers (secret values masked), blank line, body. */
  requestText(request) {
    const custom = this.readHeaders().headers;
    const lines = [`${request.method} ${request.url}`,
      ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
      ...Object.keys(custom).map(name => `${name}: ••••••`),
      ...Object.keys(this.webhook?.headers ?? {}).filter(name => !this.headersChanged && !(name in custom)).map(name => `${name}: ••••••`),
      `webhook-id: ${t('preview.deliveryId')}`,
      `webhook-timestamp: ${t('preview.timestamp')}`,
      `webhook-signature: v1,${t('preview.signature')}`];
    return `${lines.join('\n')}\n\n${request.body ?? t('preview.noBody')}`;
  }

  warningList(warnings) {
    if (!warnings?.length) return null;
    return h('ul', { class: 'warnings' }, warnings.map(w => h('li', {}, this.warningText(w))));
  }

  warningText(warning) {
    return t('warning.notCarried', { variable: `#${warning.variable}#`, trigger: triggerLabel(this.trigger.name) });
  }

  /** Puts each error of a problem document (and each warning) next to its field. */
  showProblem(problem, fields) {
    const errors = problem.errors ?? {};
    for (const name of fields) {
      const messages = this.messagesFor(name, problem, errors);
      const warnings = (problem.warnings ?? []).filter(w => w.field === name).map(w => this.warningText(w));
      setFieldError(name, messages.length ? messages : warnings);
      document.getElementById(`${name}-error`)?.classList.toggle('warning', !messages.length && warnings.length > 0);
      if (name === 'body') this.showBodyExcerpt(messages.length ? problem.bodyError : null);
    }
  }

  messagesFor(name, problem, errors) {
    const server = errors[name] ?? [];
    if (!server.length) return [];
    const english = language() === 'en';
    if (name === 'body' && problem.bodyError) {
      const detail = server[0].replace(/^.*?line \d+, column \d+: ?/, '');
      const position = t('error.bodyJson', { line: problem.bodyError.line, column: problem.bodyError.column });
      return [english && detail !== server[0] ? `${position} ${detail}` : position];
    }
    const unknown = (problem.unknownVariables ?? []).filter(u => u.field === name).map(u =>
      u.suggestion ? t('error.unknownSuggest', { variable: `#${u.variable}#`, suggestion: `#${u.suggestion}#` })
        : t('error.unknown', { variable: `#${u.variable}#` }));
    if (unknown.length) return unknown;
    return english ? server : [t(`error.${name}`)];
  }

  /** The line of the body with the error and a caret under the column, like a compiler shows it. */
  showBodyExcerpt(position) {
    if (!position) {
      this.bodyExcerpt.hidden = true;
      return;
    }
    const line = this.body.value.split('\n')[position.line - 1] ?? '';
    const number = `${position.line} | `;
    this.bodyExcerpt.textContent = `${number}${line}\n${' '.repeat(number.length + position.column - 1)}^`;
    this.bodyExcerpt.hidden = false;
  }

  async save(event) {
    event.preventDefault();
    for (const name of fieldsWithErrors) setFieldError(name, []);
    fieldsWithErrors.forEach(name => this.touched.add(name));

    const retrySchedule = this.readRetry();
    const { headers, problems } = this.readHeaders();
    const { conditions, problems: conditionProblems } = this.readConditions();
    for (const row of this.conditionRows.children) this.setRowError(row, []);
    if (conditionProblems.length) {
      for (const [row, message] of conditionProblems) this.setRowError(row, [message]);
      this.status(t('editor.fix'));
      return conditionProblems[0][0].controls.value.focus();
    }
    const local = {};
    if (!this.name.value.trim()) local.name = [t('error.name')];
    if (retrySchedule === undefined) local.retry = [t('error.retry')];
    const rateLimit = this.readRate();
    if (rateLimit === undefined) local.rate = [t(this.ratePer.value === 'minute' ? 'error.rateMinute' : 'error.rateSecond')];
    if (problems.length && (this.headersChanged || !this.webhook)) local.headers = problems;
    if (Object.keys(local).length) return this.failed(local);

    const input = {
      name: this.name.value.trim(), trigger: this.trigger.name, url: this.url.value.trim(),
      body: this.body.value.trim() ? this.body.value : null, enabled: this.enabled.checked, retrySchedule, conditions, rateLimit,
      ordering: this.ordered.checked ? 'perCustomer' : 'none',
    };
    if (!this.webhook && Object.keys(headers).length) input.headers = headers;
    this.status(t('editor.saving'));
    const { status, json } = this.webhook
      ? await call('PUT', shop(`/webhooks/${this.webhook.id}`), input)
      : await call('POST', shop('/webhooks'), input);
    if (status === 400) return this.failed(null, json);
    if (status !== 200 && status !== 201) return this.status(t('error.unexpected'));

    if (this.webhook && this.headersChanged) {
      const saved = await call('PUT', shop(`/webhooks/${this.webhook.id}/headers`), { headers: Object.keys(headers).length ? headers : null });
      if (!saved.ok) return this.failed({ headers: Object.values(saved.json?.errors ?? {}).flat() });
    }
    this.dirty = false;
    setFlash(t(this.webhook ? 'editor.saved' : 'editor.created'));
    navigate(`#/webhooks/${json.id}`);
  }

  /** Shows why saving failed next to each field and moves focus to the first one. */
  failed(local, problem) {
    if (problem) {
      const errors = { ...problem.errors };
      if (errors.retrySchedule) errors.retry = errors.retrySchedule;
      const rate = Object.entries(errors).filter(([key]) => key.startsWith('rateLimit')).flatMap(([, m]) => m);
      if (rate.length) errors.rate = rate;
      const headerMessages = Object.entries(errors).filter(([key]) => key.startsWith('headers')).flatMap(([, m]) => m);
      this.showProblem({ ...problem, errors }, ['name', 'trigger', 'url', 'body', 'retry', 'rate']);
      this.showConditionErrors(errors);
      if (headerMessages.length) setFieldError('headers', language() === 'en' ? headerMessages : [t('error.headers')]);
    } else {
      for (const [name, messages] of Object.entries(local)) setFieldError(name, messages);
    }
    this.status(t('editor.fix'));
    const row = [...this.conditionRows.children].find(r => !r.controls.error.hidden);
    const first = fieldsWithErrors.find(name => name === 'conditions' ? row
      : !document.getElementById(`${name}-error`)?.hidden && !document.getElementById(`${name}-error`)?.classList.contains('warning'));
    if (first === 'retry') document.querySelector('details.retry').open = true;
    if (first === 'rate') document.querySelector('details.rate').open = true;
    if (first === 'conditions') row.controls.variable.focus();
    else (first === 'headers' ? this.headerRows.querySelector('input') : document.getElementById(first))?.focus();
  }

  async remove() {
    if (!confirm(t('editor.confirmDelete', { name: this.webhook.name }))) return;
    const { ok } = await call('DELETE', shop(`/webhooks/${this.webhook.id}`));
    if (!ok) return this.status(t('error.unexpected'));
    setFlash(t('editor.deleted', { name: this.webhook.name }));
    navigate('#/');
  }

  renderTest() {
    this.testNote = h('p', { class: 'hint', hidden: true }, t('test.unsaved'));
    this.testResult = h('div', { class: 'test-result' });
    this.testButton = h('button', { type: 'button', class: 'primary', onclick: () => this.sendTest() }, t('test.send'));
    return h('section', { class: 'card test', 'aria-labelledby': 'test-title' },
      h('h2', { id: 'test-title' }, t('test.title')),
      h('p', { class: 'hint' }, t('test.lead')),
      this.testButton, this.testNote,
      h('div', { 'aria-live': 'polite' }, this.testResult));
  }

  updateTestNote() {
    if (this.testNote) this.testNote.hidden = !this.dirty;
  }

  async sendTest() {
    this.testButton.disabled = true;
    this.testResult.replaceChildren(h('p', {}, t('test.sending')));
    try {
      const { status, json } = await call('POST', shop(`/webhooks/${this.webhook.id}/test`));
      if (status !== 202) {
        this.testResult.replaceChildren(h('p', { class: 'problem' }, t('error.unexpected')));
        return;
      }
      const delivery = await this.waitForDelivery(json.deliveryId);
      if (delivery) this.testResult.replaceChildren(...outcome(delivery, this.webhook.id));
    } finally {
      this.testButton.disabled = false;
    }
  }

  /** Polls the test delivery until its one attempt is done. */
  async waitForDelivery(id) {
    for (let i = 0; i < 120 && !this.left; i++) {
      const { json } = await call('GET', shop(`/deliveries/${id}`));
      if (json && json.status !== 'pending') return json;
      await new Promise(resolve => this.later(resolve, 500));
    }
    if (!this.left) this.testResult.replaceChildren(h('p', {}, t('test.slow')));
    return null;
  }

  renderSecret() {
    this.secretValue = null;
    this.secretCode = h('code', { id: 'secret', class: 'secret' }, 'whsec_••••••••••••••••');
    this.secretStatus = h('p', { class: 'status', role: 'status' });
    this.revealButton = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false', onclick: () => this.toggleSecret() },
      t('secret.reveal'));
    return h('section', { class: 'card secret-card', 'aria-labelledby': 'secret-title' },
      h('h2', { id: 'secret-title' }, t('secret.title')),
      h('p', { class: 'hint' }, t('secret.lead')),
      h('p', { class: 'secret-line' }, h('span', { class: 'visually-hidden' }, t('secret.label')), this.secretCode),
      h('p', { class: 'inline' },
        this.revealButton,
        h('button', { type: 'button', class: 'small', onclick: () => this.copySecret() }, t('secret.copy')),
        h('button', { type: 'button', class: 'small', onclick: () => this.rotateSecret() }, t('secret.rotate'))),
      this.secretStatus,
      h('details', { class: 'verify' },
        h('summary', {}, t('secret.howTo')),
        h('p', {}, t('secret.howToText')),
        h('pre', { class: 'snippet' }, verifySnippet),
        h('p', { class: 'hint' }, t('secret.howToLibraries'))));
  }

  async secret() {
    if (!this.secretValue) {
      const { ok, json } = await call('GET', shop(`/webhooks/${this.webhook.id}/secret`));
      if (!ok) throw new Error('secret');
      this.secretValue = json.secret;
    }
    return this.secretValue;
  }

  async toggleSecret() {
    const show = this.revealButton.getAttribute('aria-pressed') !== 'true';
    this.secretCode.textContent = show ? await this.secret() : 'whsec_••••••••••••••••';
    this.revealButton.setAttribute('aria-pressed', String(show));
    this.revealButton.textContent = t(show ? 'secret.hide' : 'secret.reveal');
  }

  async copySecret() {
    try {
      await navigator.clipboard.writeText(await this.secret());
      this.secretStatus.textContent = t('secret.copied');
    } catch {
      this.secretStatus.textContent = t('secret.copyFailed');
    }
  }

  async rotateSecret() {
    if (!confirm(t('secret.confirmRotate'))) return;
    const { ok, json } = await call('POST', shop(`/webhooks/${this.webhook.id}/secret/rotate`));
    if (!ok) {
      this.secretStatus.textContent = t('error.unexpected');
      return;
    }
    this.secretValue = json.secret;
    this.secretCode.textContent = json.secret;
    this.revealButton.setAttribute('aria-pressed', 'true');
    this.revealButton.textContent = t('secret.hide');
    this.secretStatus.textContent = t('secret.rotated', { until: formatTime(json.previousSecretExpiresAt) });
  }
}

/** What a finished test delivery did: status code or error, how long it took, the start of the answer. */
function outcome(delivery, webhookId) {
  const attempt = delivery.attempts.at(-1);
  const good = delivery.status === 'succeeded';
  const what = attempt?.statusCode ? `HTTP ${attempt.statusCode}` : attempt?.error ?? '';
  return [
    h('p', { class: `outcome ${good ? 'good' : 'bad'}` },
      h('strong', {}, t(good ? 'test.delivered' : 'test.failed')), ' ',
      t('test.detail', { what, ms: attempt?.durationMs ?? 0, at: formatTime(attempt?.startedAt) })),
    attempt?.responseBody ? h('p', { class: 'hint' }, t('test.response')) : null,
    attempt?.responseBody ? h('pre', { class: 'response' }, attempt.responseBody.slice(0, 600)) : null,
    h('p', {}, h('a', { href: `#/webhooks/${webhookId}/deliveries` }, t('test.inLog'))),
  ];
}

const verifySnippet = `<?php
// PHP: $secret = the key shown above
$key = base64_decode(substr($secret, strlen('whsec_')));
$id = $_SERVER['HTTP_WEBHOOK_ID'];
$timestamp = $_SERVER['HTTP_WEBHOOK_TIMESTAMP'];
$body = file_get_contents('php://input');
$expected = 'v1,' . base64_encode(hash_hmac('sha256', "$id.$timestamp.$body", $key, true));
$valid = false;
foreach (explode(' ', $_SERVER['HTTP_WEBHOOK_SIGNATURE']) as $signature) {
    $valid = $valid || hash_equals($expected, $signature);
}
$valid = $valid && abs(time() - (int) $timestamp) <= 300;`;
