// The operator console: plain DOM, no framework, no inline script (the CSP forbids it). Every call
// goes to the admin API with the session cookie; mutations carry the CSRF token and a reason.
const $ = (sel) => document.querySelector(sel);
const state = { csrf: null, operator: null, roles: [], pages: [] };

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  }
  for (const c of children.flat(Number.POSITIVE_INFINITY))
    e.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return e;
}

function status(text, kind = 'ok') {
  const s = $('#status');
  s.textContent = text;
  s.className = kind;
}

async function api(method, path, body, reason) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    headers['x-csrf-token'] = state.csrf;
    if (reason) headers['x-gatehouse-reason'] = encodeURIComponent(reason);
  }
  const res = await fetch(`/admin/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
  });
  const json = await res.json().catch(() => ({}));
  if (res.status === 401) return showLogin();
  if (!res.ok) throw new Error(`${json.error?.code ?? res.status}: ${json.error?.message ?? ''}`);
  return { status: res.status, body: json };
}

function table(rows, columns) {
  return el(
    'table',
    {},
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        columns.map((c) => el('th', { scope: 'col' }, c.label)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((r) =>
        el(
          'tr',
          { 'data-id': typeof r.id === 'string' ? r.id : undefined },
          columns.map((c) => el('td', {}, c.render ? c.render(r) : fmt(r[c.key]))),
        ),
      ),
    ),
  );
}

function fmt(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function usageCell(c) {
  if (c.usage.length === 0) return 'no traffic seen';
  return el(
    'ul',
    {},
    c.usage.map((u) =>
      el(
        'li',
        { 'data-route': u.route },
        `${u.route}: requests ${u.windows.requests.used}/${u.windows.requests.limit}, input tokens ${u.windows.inputTokens.used}/${u.windows.inputTokens.limit}, output tokens ${u.windows.outputTokens.used}/${u.windows.outputTokens.limit}, cost $${(u.windows.costMicros.used / 1e6).toFixed(4)}/$${(u.windows.costMicros.limit / 1e6).toFixed(2)}`,
      ),
    ),
  );
}

function quotaForm(c) {
  const id = `q-${c.name}`;
  const current = c.quotaOverride?.requests ?? c.planLimits?.requests ?? {};
  const form = el(
    'form',
    { 'aria-label': `Quota of ${c.name}`, 'data-consumer': c.name },
    el('label', { for: `${id}-rpm` }, 'Requests per minute'),
    el('input', {
      id: `${id}-rpm`,
      name: 'perMinute',
      type: 'number',
      min: 1,
      required: true,
      value: current.perMinute ?? '',
    }),
    el('label', { for: `${id}-burst` }, 'Burst'),
    el('input', { id: `${id}-burst`, name: 'burst', type: 'number', min: 0, value: current.burst ?? 0 }),
    el('label', { for: `${id}-reason` }, 'Reason'),
    el('input', {
      id: `${id}-reason`,
      name: 'reason',
      type: 'text',
      minlength: 3,
      maxlength: 500,
      required: true,
    }),
    el('button', { type: 'submit' }, 'Set quota'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const body = {
      limits: {
        ...(c.quotaOverride ?? {}),
        requests: { perMinute: Number(f.get('perMinute')), burst: Number(f.get('burst') || 0) },
      },
    };
    try {
      const r = await api(
        'PUT',
        `/consumers/${encodeURIComponent(c.name)}/quota`,
        body,
        String(f.get('reason')),
      );
      status(r.status === 202 ? 'Proposed: waiting for a second approver.' : `Quota of ${c.name} updated.`);
      await show('consumers');
    } catch (err) {
      status(String(err.message), 'error');
    }
  });
  return form;
}

const BUILTIN = {
  async consumers(root) {
    const { body } = await api('GET', '/consumers');
    root.append(
      el('h2', {}, 'Consumers'),
      table(body.items, [
        { key: 'name', label: 'Consumer' },
        { key: 'enabled', label: 'Enabled' },
        { key: 'plan', label: 'Plan' },
        { key: 'quotaOverride', label: 'Quota override' },
        { key: 'usage', label: 'Live quota use', render: usageCell },
      ]),
    );
    if (canAct('operator'))
      for (const c of body.items) root.append(el('h3', {}, `Change quota: ${c.name}`), quotaForm(c));
  },
  async audit(root) {
    const { body } = await api('GET', '/audit?limit=50');
    root.append(
      el('h2', {}, 'Operator audit'),
      table(
        body.items.map((e) => ({ time: e['@timestamp'], ...e.gatehouse.admin })),
        [
          { key: 'time', label: 'Time' },
          { key: 'operator', label: 'Operator' },
          { key: 'action', label: 'Action' },
          { key: 'target', label: 'Target' },
          { key: 'outcome', label: 'Outcome' },
          { key: 'reason', label: 'Reason' },
          { key: 'after', label: 'After' },
        ],
      ),
    );
  },
  async proposals(root) {
    const { body } = await api('GET', '/proposals');
    root.append(el('h2', {}, 'Proposals (two-person rule)'));
    root.append(
      table(body.items, [
        { key: 'action', label: 'Action' },
        { key: 'proposer', label: 'Proposer', render: (p) => p.proposer.id },
        { key: 'reason', label: 'Reason' },
        {
          key: 'change',
          label: 'Diff',
          render: (p) => el('pre', {}, `- ${fmt(p.change.before)}\n+ ${fmt(p.change.after)}`),
        },
        { key: 'state', label: 'State' },
        {
          key: 'act',
          label: '',
          render: (p) =>
            p.state === 'pending' && canAct('approver') && p.proposer.id !== state.operator
              ? el('span', {}, decide(p, 'approve'), ' ', decide(p, 'reject'))
              : '',
        },
      ]),
    );
  },
  async events(root) {
    const { body } = await api('GET', '/events?limit=50');
    root.append(
      el('h2', {}, 'Recent security events and alerts'),
      table(
        body.items.map((e) => ({
          time: e['@timestamp'],
          action: e.event.action,
          reason: e.event.reason,
          user: e.user?.id,
        })),
        [
          { key: 'time', label: 'Time' },
          { key: 'action', label: 'Event' },
          { key: 'user', label: 'Consumer' },
          { key: 'reason', label: 'Reason' },
        ],
      ),
    );
  },
  async health(root) {
    const { body } = await api('GET', '/health');
    root.append(el('h2', {}, 'Health'), el('pre', {}, JSON.stringify(body, null, 2)));
  },
};

function decide(p, verb) {
  return el(
    'button',
    {
      type: 'button',
      on: {
        click: async () => {
          const reason = window.prompt(`Reason to ${verb} this proposal`);
          if (!reason) return;
          try {
            await api('POST', `/proposals/${encodeURIComponent(p.id)}/${verb}`, {}, reason);
            status(`Proposal ${verb === 'approve' ? 'approved and applied' : 'rejected'}.`);
            await show('proposals');
          } catch (err) {
            status(String(err.message), 'error');
          }
        },
      },
    },
    verb === 'approve' ? 'Approve' : 'Reject',
  );
}

const RANK = ['viewer', 'operator', 'approver', 'admin'];
const canAct = (role) => state.roles.some((r) => RANK.indexOf(r) >= RANK.indexOf(role));

// Feature pages (AdminPageDef, src/pipeline/admin.ts) are data: the console renders them all here.
const pick = (obj, path) => path.split('.').reduce((o, k) => (o === null || o === undefined ? o : o[k]), obj);
const selection = {};

function fillPath(path, row, page) {
  return path.replace(/:([A-Za-z_]+)/g, (_, name) => {
    const v = row?.[name] ?? (page.select?.param === name ? selection[page.id] : undefined);
    return encodeURIComponent(String(v ?? ''));
  });
}

function actionForm(page, action, row) {
  const subject = row ? String(row.id ?? '') : (selection[page.id] ?? '');
  const base = `a-${page.id}-${action.label.replace(/\W+/g, '')}-${subject.replace(/\W+/g, '_')}`;
  const inputs = (action.fields ?? []).map((f) => {
    const id = `${base}-${f.name}`;
    const input =
      f.type === 'select'
        ? el(
            'select',
            { id, name: f.name, required: f.required ? true : undefined },
            (f.options ?? []).map((o) => el('option', { value: o }, o)),
          )
        : el('input', {
            id,
            name: f.name,
            type: f.type === 'number' ? 'number' : 'text',
            required: f.required ? true : undefined,
          });
    return [el('label', { for: id }, f.label), input];
  });
  const form = el(
    'form',
    { class: 'action', 'aria-label': `${action.label} ${subject}`.trim(), 'data-action': action.label },
    inputs,
    el('label', { for: `${base}-reason` }, 'Reason'),
    el('input', {
      id: `${base}-reason`,
      name: 'reason',
      type: 'text',
      minlength: 3,
      maxlength: 500,
      required: true,
    }),
    el('button', { type: 'submit' }, action.label),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const body = {};
    for (const f of action.fields ?? []) {
      const v = String(data.get(f.name) ?? '');
      if (v === '' && !f.required) continue;
      body[f.name] = f.type === 'number' ? Number(v) : v;
    }
    try {
      const r = await api(action.method, fillPath(action.path, row, page), body, String(data.get('reason')));
      status(
        r.status === 202 ? 'Proposed: waiting for a second approver.' : `${action.label}: done (${subject}).`,
      );
      await show(page.id);
    } catch (err) {
      status(String(err.message), 'error');
    }
  });
  return form;
}

async function tablePage(root, page) {
  root.append(el('h2', {}, page.title));
  if (page.select) {
    const values = page.select.values ?? [];
    if (values.length === 0) return root.append(el('p', {}, 'Nothing to show.'));
    if (!values.includes(selection[page.id])) selection[page.id] = values[0];
    const id = `sel-${page.id}`;
    const chooser = el(
      'select',
      {
        id,
        on: {
          change: (ev) => {
            selection[page.id] = ev.target.value;
            show(page.id);
          },
        },
      },
      values.map((v) => el('option', { value: v, selected: v === selection[page.id] ? true : undefined }, v)),
    );
    root.append(el('p', {}, el('label', { for: id }, `${page.select.label} `), chooser));
  }
  const { body } = await api('GET', fillPath(page.source, null, page));
  if (page.summary)
    root.append(
      el(
        'dl',
        { class: 'summary' },
        page.summary.map((c) => [
          el('dt', {}, c.label),
          el('dd', { 'data-key': c.key }, fmt(pick(body, c.key))),
        ]),
      ),
    );
  const allowed = (page.actions ?? []).filter((a) => canAct(a.role));
  for (const a of allowed.filter((x) => x.scope === 'page')) root.append(actionForm(page, a, null));
  const list = page.items ? pick(body, page.items) : Array.isArray(body) ? body : body.items;
  const rows = Array.isArray(list) ? list : [];
  const rowActions = allowed.filter((a) => a.scope === 'row');
  const columns = page.columns.map((c) => ({ ...c, render: (r) => fmt(pick(r, c.key)) }));
  if (rowActions.length > 0)
    columns.push({
      key: 'actions',
      label: 'Actions',
      render: (r) =>
        el(
          'div',
          {},
          rowActions
            .filter((a) => !a.when || a.when.in.includes(pick(r, a.when.key) ?? null))
            .map((a) => actionForm(page, a, r)),
        ),
    });
  if (rows.length === 0) root.append(el('p', {}, 'Nothing to show.'));
  else root.append(table(rows, columns));
}

async function show(id) {
  const root = $('#page');
  root.replaceChildren();
  for (const b of document.querySelectorAll('#nav button'))
    b.toggleAttribute('aria-current', b.dataset.page === id);
  for (const b of document.querySelectorAll('#nav button'))
    if (b.dataset.page === id) b.setAttribute('aria-current', 'page');
  try {
    if (BUILTIN[id]) await BUILTIN[id](root);
    else {
      const page = state.pages.find((p) => p.id === id);
      if (page) await tablePage(root, page);
    }
  } catch (err) {
    status(String(err.message), 'error');
  }
}

function showLogin() {
  $('#login').hidden = false;
  $('#nav').hidden = true;
  $('#page').replaceChildren();
}

async function boot() {
  const res = await fetch('/admin/session', { credentials: 'same-origin' });
  if (res.status !== 200) return showLogin();
  const s = await res.json();
  Object.assign(state, { csrf: s.csrf, operator: s.operator, roles: s.roles });
  $('#who').textContent = `${s.operator} (${s.roles.join(', ') || 'no role'})`;
  const logout = el(
    'button',
    {
      type: 'button',
      on: {
        click: async () => {
          await fetch('/admin/logout', {
            method: 'POST',
            headers: { 'x-csrf-token': state.csrf },
            credentials: 'same-origin',
          });
          location.reload();
        },
      },
    },
    'Sign out',
  );
  $('#who').append(' ', logout);
  const pages = await api('GET', '/console/pages');
  state.pages = pages?.body.items ?? [];
  const nav = $('#nav');
  const entries = [
    ['consumers', 'Consumers'],
    ['proposals', 'Proposals'],
    ['audit', 'Audit'],
    ['events', 'Security events'],
    ['health', 'Health'],
    ...state.pages.map((p) => [p.id, p.title]),
  ];
  nav.replaceChildren(
    ...entries.map(([id, title]) =>
      el('button', { type: 'button', 'data-page': id, on: { click: () => show(id) } }, title),
    ),
  );
  nav.hidden = false;
  await show('consumers');
}

boot().catch((err) => status(String(err.message), 'error'));
