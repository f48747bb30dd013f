// The Event History page of trailctl ui. Every answer comes from the server's query engine
// (/api/events for a page, /api/export for a download), with the same parameters as
// `trailctl query`; this script only builds those parameters and shows the answers.
// Event values come from any program on the host: they are only ever set as text, never as
// HTML.
'use strict';

const LABELS = {
  '@timestamp': 'Time',
  'user.name': 'User/App',
  'event.action': 'Event',
  'event.outcome': 'Status',
  'entity.target.type': 'Entity type',
  'entity.target.name': 'Entity name',
  'source.ip': 'Source IP',
};
// Offered in the column chooser besides the defaults; any other field can be added by name.
const MORE_COLUMNS = [
  'event.id', 'event.sequence', 'event.category', 'event.type', 'event.dataset', 'event.duration',
  'user.id', 'organization.id', 'entity.target.id', 'log.level', 'message', 'process.name',
  'process.pid', 'process.user.id', 'host.hostname', 'service.name', 'event.created',
];
const TIME_FIELDS = new Set(['@timestamp', 'event.created', 'event.start', 'event.end', 'event.ingested']);

const state = {
  columns: [],
  defaultColumns: [],
  range: '30d',
  from: '',
  to: '',
  columnFilters: {},  // field -> value, exact match
  wheres: [],         // 'FIELD OP VALUE'
  sort: '@timestamp',
  reverse: false,
  limit: 50,
  cursor: null,       // {name: 'after'|'before', value}
  page: 0,
  pageCursors: [null],  // the cursor each page up to this one was read with
  answer: null,
};
let inFlight = null;

const $ = (id) => document.getElementById(id);

function label(field) { return LABELS[field] || field; }

// The value at a dotted path of an event: nested objects, or keys that hold dots themselves.
function valueAt(event, path) {
  if (event == null || typeof event !== 'object') return undefined;
  if (Object.prototype.hasOwnProperty.call(event, path)) return event[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const head = parts.slice(0, i).join('.');
    if (Object.prototype.hasOwnProperty.call(event, head)) {
      const v = valueAt(event[head], parts.slice(i).join('.'));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

function cellText(value) {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(cellText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

// The browser's zone for reading, UTC (as stored) on hover.
function localTime(text) {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return null;
  const zone = new Intl.DateTimeFormat(undefined, {timeZoneName: 'short'}).formatToParts(d)
    .find((p) => p.type === 'timeZoneName');
  return {
    shown: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}` +
      (zone ? ` ${zone.value}` : ''),
    utc: d.toISOString().replace('T', ' ').replace('Z', ' UTC'),
  };
}

// The parameters every request shares: window, filters and order (trailctl query's names).
function filterParams() {
  const p = new URLSearchParams();
  if (state.range === 'all') {
    p.set('all', 'true');
  } else if (state.range === 'custom') {
    if (state.from) p.set('since', new Date(state.from).toISOString());
    else p.set('all', 'true');
    if (state.to) p.set('until', new Date(state.to).toISOString());
  } else {
    p.set('since', state.range);
  }
  for (const [field, value] of Object.entries(state.columnFilters)) {
    if (value !== '') p.append('where', `${field} == ${value}`);
  }
  for (const w of state.wheres) p.append('where', w);
  if (state.sort !== '@timestamp') p.set('sort', state.sort);
  if (state.reverse) p.set('reverse', 'true');
  return p;
}

function pageParams() {
  const p = filterParams();
  p.set('limit', String(state.limit));
  if (state.cursor) p.set(state.cursor.name, state.cursor.value);
  return p;
}

function exportHref(format) {
  const p = filterParams();
  p.set('format', format);
  if (format === 'csv') p.set('fields', state.columns.join(','));
  return `/api/export?${p}`;
}

function showError(text) {
  const box = $('error');
  box.textContent = text || '';
  box.hidden = !text;
}

async function load() {
  if (inFlight) inFlight.abort();
  const controller = new AbortController();
  inFlight = controller;
  document.body.classList.add('loading');
  $('status').textContent = 'Loading…';
  try {
    const response = await fetch(`/api/events?${pageParams()}`, {signal: controller.signal, credentials: 'same-origin'});
    const body = await response.json().catch(() => ({error: `${response.status} ${response.statusText}`}));
    if (controller !== inFlight) return;
    if (!response.ok) {
      showError(response.status === 401 ? 'The access token is missing or wrong: open the URL trailctl ui printed.'
        : body.error || `${response.status} ${response.statusText}`);
      state.answer = null;
      render();
      return;
    }
    showError('');
    state.answer = body;
    render();
  } catch (e) {
    if (e.name !== 'AbortError') showError(`The server did not answer: ${e.message}`);
  } finally {
    if (controller === inFlight) {
      inFlight = null;
      document.body.classList.remove('loading');
    }
  }
}

// A new question starts from its first page.
function reload() {
  state.cursor = null;
  state.page = 0;
  state.pageCursors = [null];
  updateDownloads();
  load();
}

function updateDownloads() {
  $('download-csv').href = exportHref('csv');
  $('download-json').href = exportHref('json');
}

function renderHeader() {
  const header = $('header-row');
  const filters = $('filter-row');
  header.replaceChildren();
  filters.replaceChildren();
  for (const field of state.columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.dataset.field = field;
    button.title = `Sort by ${field}`;
    let arrow = '';
    if (state.sort === field) arrow = state.reverse ? ' ▲' : ' ▼';
    button.textContent = label(field) + arrow;
    th.setAttribute('aria-sort', state.sort === field ? (state.reverse ? 'ascending' : 'descending') : 'none');
    button.addEventListener('click', () => {
      if (state.sort === field) state.reverse = !state.reverse;
      else { state.sort = field; state.reverse = false; }
      renderHeader();
      reload();
    });
    th.append(button);
    header.append(th);

    const td = document.createElement('th');
    if (!TIME_FIELDS.has(field)) {
      const input = document.createElement('input');
      input.type = 'search';
      input.className = 'column-filter';
      input.dataset.field = field;
      input.placeholder = 'equals…';
      input.setAttribute('aria-label', `Filter ${label(field)}`);
      input.value = state.columnFilters[field] || '';
      input.addEventListener('change', () => {
        const v = input.value.trim();
        if (v) state.columnFilters[field] = v;
        else delete state.columnFilters[field];
        renderChips();
        reload();
      });
      td.append(input);
    }
    filters.append(td);
  }
}

function renderRows() {
  const rows = $('rows');
  rows.replaceChildren();
  const events = state.answer ? state.answer.events : [];
  for (const event of events) {
    const tr = document.createElement('tr');
    tr.tabIndex = 0;
    for (const field of state.columns) {
      const td = document.createElement('td');
      const value = valueAt(event, field);
      const time = TIME_FIELDS.has(field) && typeof value === 'string' ? localTime(value) : null;
      if (time) {
        td.textContent = time.shown;
        td.title = time.utc;
        td.className = 'time';
      } else {
        td.textContent = cellText(value);
        td.title = td.textContent;
      }
      if (field === 'event.outcome') td.classList.add(`outcome-${cellText(value)}`);
      tr.append(td);
    }
    const open = () => showDetail(event);
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
    rows.append(tr);
  }
  $('empty').hidden = !(state.answer && events.length === 0);
}

function renderPager() {
  const a = state.answer;
  const count = a ? a.count : 0;
  const first = state.page * state.limit;
  let text = '';
  if (a) {
    const total = a.matched !== undefined ? `${a.matched.toLocaleString()} matching`
      : `at least ${a.matched_at_least.toLocaleString()} matching`;
    text = count ? `Events ${(first + 1).toLocaleString()}–${(first + count).toLocaleString()} (${total})`
      : (state.page ? 'No more events' : 'No events');
  }
  $('status').textContent = text;
  $('prev-page').disabled = state.page === 0;
  $('next-page').disabled = !a || count < state.limit;
}

function render() {
  renderRows();
  renderPager();
}

function renderChips() {
  const chips = $('chips');
  chips.replaceChildren();
  const add = (text, remove) => {
    const chip = document.createElement('span');
    chip.className = 'chip';
    chip.textContent = text;
    const x = document.createElement('button');
    x.type = 'button';
    x.textContent = '×';
    x.title = `Remove ${text}`;
    x.setAttribute('aria-label', `Remove filter ${text}`);
    x.addEventListener('click', () => { remove(); renderChips(); renderHeader(); reload(); });
    chip.append(x);
    chips.append(chip);
  };
  for (const [field, value] of Object.entries(state.columnFilters)) {
    add(`${field} == ${value}`, () => { delete state.columnFilters[field]; });
  }
  state.wheres.forEach((w, i) => add(w, () => { state.wheres.splice(i, 1); }));
}

function renderColumnChooser() {
  const list = $('column-list');
  list.replaceChildren();
  const fields = [...state.columns];
  for (const f of [...state.defaultColumns, ...MORE_COLUMNS]) if (!fields.includes(f)) fields.push(f);
  for (const field of fields) {
    const item = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = field;
    box.checked = state.columns.includes(field);
    box.addEventListener('change', () => {
      if (box.checked) state.columns.push(field);
      else state.columns = state.columns.filter((c) => c !== field);
      if (state.columns.length === 0) state.columns = [field];
      renderColumnChooser();
      renderHeader();
      renderRows();
      updateDownloads();
    });
    item.append(box, ` ${label(field)}${LABELS[field] ? ` (${field})` : ''}`);
    list.append(item);
  }
}

function showDetail(event) {
  $('detail-title').textContent = `Event ${cellText(valueAt(event, 'event.id'))}`;
  $('detail-json').textContent = JSON.stringify(event, null, 2);
  $('detail').showModal();
}

// Next: the events beyond this page's last one, by its cursor (MAAS's semantics: newest
// first, the next page lies before the page's `prev`). Previous: the cursor that page was
// read with, so it comes back even from an empty page at the end.
function page(direction) {
  const a = state.answer;
  if (direction > 0) {
    if (!a) return;
    const smaller = !state.reverse;
    const cursor = smaller ? {name: 'before', value: a.prev} : {name: 'after', value: a.next};
    if (!cursor.value) return;
    state.page += 1;
    state.pageCursors[state.page] = cursor;
    state.cursor = cursor;
  } else {
    if (state.page === 0) return;
    state.page -= 1;
    state.cursor = state.pageCursors[state.page];
  }
  state.pageCursors.length = state.page + 1;
  load();
}

// A download is fetched first, so a refusal (too many events, a bad filter) shows as an
// error on the page instead of as a downloaded error document.
async function download(format, button) {
  const href = exportHref(format);
  button.classList.add('busy');
  try {
    const response = await fetch(href, {credentials: 'same-origin'});
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      showError(body.error || `${response.status} ${response.statusText}`);
      return;
    }
    showError('');
    const disposition = response.headers.get('Content-Disposition') || '';
    const name = (/filename="([^"]+)"/.exec(disposition) || [])[1] || `traild-export.${format}`;
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (e) {
    showError(`The download failed: ${e.message}`);
  } finally {
    button.classList.remove('busy');
  }
}

async function addColumn(field) {
  // The server knows which fields exist: ask it, and show its error for a misspelt one.
  const response = await fetch(`/api/events?${new URLSearchParams({limit: '1', fields: field, all: 'true'})}`);
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    showError(body.error || `${response.status} ${response.statusText}`);
    return false;
  }
  showError('');
  if (!state.columns.includes(field)) state.columns.push(field);
  renderColumnChooser();
  renderHeader();
  renderRows();
  updateDownloads();
  return true;
}

async function start() {
  const response = await fetch('/api/columns');
  const columns = response.ok ? (await response.json()).default : Object.keys(LABELS);
  state.defaultColumns = columns;
  state.columns = [...columns];

  $('range').addEventListener('change', () => {
    state.range = $('range').value;
    $('custom-range').hidden = state.range !== 'custom';
    if (state.range === 'custom' && !state.from) {
      const d = new Date(Date.now() - 30 * 86400000);
      const local = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
      $('from').value = local;
      state.from = local;
    }
    reload();
  });
  for (const id of ['from', 'to']) {
    $(id).addEventListener('change', () => { state[id] = $(id).value; reload(); });
  }
  $('where-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('where').value.trim();
    if (!text) return;
    state.wheres.push(text);
    $('where').value = '';
    renderChips();
    reload();
  });
  $('limit').addEventListener('change', () => { state.limit = Number($('limit').value); reload(); });
  $('prev-page').addEventListener('click', () => page(-1));
  $('next-page').addEventListener('click', () => page(1));
  $('columns-button').addEventListener('click', () => {
    const panel = $('columns-panel');
    panel.hidden = !panel.hidden;
    $('columns-button').setAttribute('aria-expanded', String(!panel.hidden));
  });
  $('add-column-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const field = $('add-column').value.trim();
    if (field && await addColumn(field)) $('add-column').value = '';
  });
  $('detail-close').addEventListener('click', () => $('detail').close());
  for (const [id, format] of [['download-csv', 'csv'], ['download-json', 'json']]) {
    $(id).addEventListener('click', (e) => {
      e.preventDefault();
      download(format, $(id));
    });
  }

  renderColumnChooser();
  renderHeader();
  reload();
}

document.addEventListener('DOMContentLoaded', start);
