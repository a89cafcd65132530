// The audit log: who changed what and when, newest first, filtered by who and by what; each entry
// opens to the request and the object before and after (secrets hidden for all but admins).
import { api } from './api.js';
import { ago, el, onPause, pill } from './view.js';

const json = (value) => el('pre', { class: 'mono', style: 'white-space: pre-wrap; overflow-wrap: anywhere; max-width: 640px' },
  value == null ? '(none)' : JSON.stringify(value, null, 2));

export function auditPage(main, params) {
  const actor = el('input', { id: 'audit-actor', placeholder: 'who: a token name', value: params.get('actor') || '' });
  const object = el('input', { id: 'audit-object', class: 'mono', style: 'width: 360px',
    placeholder: 'what: /api/v1/assignments/web',
    value: params.get('object') || '' });
  const entries = el('div', { id: 'audit-entries' });
  const error = el('p', { class: 'error', id: 'audit-error' });
  main.append(el('h1', {}, 'Audit log'),
    el('section', { class: 'card' }, el('div', { class: 'actions' }, actor, object), error, entries));
  async function refresh() {
    const query = new URLSearchParams({ limit: '200' });
    if (actor.value.trim()) query.set('actor', actor.value.trim());
    if (object.value.trim()) query.set('object', object.value.trim());
    try {
      const log = await api(`/api/v1/audit?${query}`);
      error.textContent = '';
      entries.replaceChildren(log.length === 0 ? el('p', { class: 'muted' }, 'no changes recorded')
        : el('table', {}, el('tr', {}, ['When', 'Who', 'What', 'Object', ''].map((h) => el('th', {}, h))),
          log.map((entry) => el('tr', { 'data-audit': entry.id },
            el('td', { title: new Date(entry.at).toISOString() }, ago(entry.at)),
            el('td', {}, entry.actor, ' ', pill(entry.role)),
            el('td', { class: 'mono' }, entry.action),
            el('td', { class: 'mono' }, entry.object),
            el('td', {}, el('details', {}, el('summary', {}, `${entry.status}`),
              el('h3', {}, 'Request'), json(entry.request), el('h3', {}, 'Before'), json(entry.before),
              el('h3', {}, 'After'), json(entry.after)))))));
    } catch (e) {
      error.textContent = e.message;
    }
  }
  onPause(actor, 400, refresh);
  onPause(object, 400, refresh);
  // Read when opened and when a filter changes, not on a timer that would close the entry being read.
  refresh();
  return () => {};
}
