// The fleet: counts by state, and a table of agents the server pages, sorts and filters.
import { api } from './api.js';
import { ago, el, every, healthPill, statusPill } from './view.js';
import { bytes, flags, percent, rate } from './telemetry.js';

const REFRESH_MS = 3000;
const SIZE = 50;

export function fleetPage(main, params) {
  const filters = {
    selector: params.get('selector') || '',
    health: params.get('health') || '',
    status: params.get('status') || '',
    connected: params.get('connected') || '',
    drift: params.get('drift') || '',
    config: params.get('config') || '',
    telemetry: params.get('telemetry') || '',
    sort: params.get('sort') || 'uid',
    page: Number(params.get('page') || 1),
  };
  const counts = el('div', { class: 'counts', id: 'counts' });
  const error = el('p', { class: 'error', id: 'fleet-error' });
  const body = el('tbody', { id: 'agents' });
  const pager = el('div', { class: 'pager', id: 'pager' });
  main.append(el('h1', {}, 'Fleet'), counts, filterForm(filters), error,
    el('table', {}, el('thead', {}, header(filters)), body), pager);

  async function refresh() {
    try {
      const [summary, list] = await Promise.all([api('/api/v1/fleet'), api(`/api/v1/agents?${query(filters)}`)]);
      error.textContent = '';
      counts.replaceChildren(...countCards(summary));
      body.replaceChildren(...(list.agents.length ? list.agents.map(row)
        : [el('tr', {}, el('td', { colspan: 12, class: 'muted' }, 'No agent matches.'))]));
      pager.replaceChildren(...pages(filters, list.total));
    } catch (e) {
      if (e.status !== 401 && e.status !== 0) error.textContent = e.message;
    }
  }
  return every(REFRESH_MS, refresh);
}

function query(filters) {
  const q = new URLSearchParams({ size: SIZE, page: filters.page, sort: filters.sort });
  for (const key of ['selector', 'health', 'status', 'connected', 'drift', 'config', 'telemetry']) {
    if (filters[key]) q.set(key, filters[key]);
  }
  return q.toString();
}

function go(filters) {
  location.hash = `#/fleet?${query(filters)}`;
}

function countCards(summary) {
  const card = (value, label, id) => el('div', { class: 'count', id }, el('b', {}, value), el('span', {}, label));
  const statuses = summary.remoteConfigStatus || {};
  return [
    card(summary.agents, 'agents', 'count-agents'),
    card(summary.connected, 'connected', 'count-connected'),
    card(summary.healthy, 'healthy', 'count-healthy'),
    el('a', { href: '#/fleet?drift=true', class: 'count-link' }, card(summary.drifted, 'drifted', 'count-drifted')),
    el('a', { href: '#/fleet?telemetry=dropping&sort=-throughput', class: 'count-link' },
      card(summary.droppingData, 'dropping data', 'count-dropping')),
    ...Object.entries(statuses).map(([status, n]) => card(n, `config ${status.toLowerCase()}`, `count-${status}`)),
  ];
}

function filterForm(filters) {
  const select = (name, options) => el('select', { name, 'aria-label': name },
    options.map(([value, label]) => el('option', { value, selected: filters[name] === value }, label)));
  const selector = el('input', { name: 'selector', id: 'selector', value: filters.selector,
    placeholder: 'label selector, e.g. service.name=otelcol-fleet,env in (prod,staging)' });
  return el('form', { class: 'filters', id: 'filters', onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    go({ ...filters, selector: data.get('selector').trim(), health: data.get('health'), status: data.get('status'),
      connected: data.get('connected'), drift: data.get('drift'), config: data.get('config').trim(),
      telemetry: data.get('telemetry'), page: 1 });
  } },
  selector,
  select('health', [['', 'any health'], ['healthy', 'healthy'], ['unhealthy', 'unhealthy']]),
  select('status', [['', 'any config status'], ['APPLIED', 'applied'], ['APPLYING', 'applying'], ['FAILED', 'failed'],
    ['UNSET', 'no remote config']]),
  select('connected', [['', 'connected or not'], ['true', 'connected'], ['false', 'offline']]),
  select('drift', [['', 'drifted or not'], ['true', 'drifted'], ['false', 'runs what is desired']]),
  select('telemetry', [['', 'any own telemetry'], ['reporting', 'reports own metrics'], ['dropping', 'dropping data'],
    ['queue-filling', 'queue filling']]),
  el('input', { name: 'config', id: 'config-filter', value: filters.config, placeholder: 'config or config@version',
    'aria-label': 'desired config' }),
  el('button', { type: 'submit', class: 'primary' }, 'Filter'));
}

function header(filters) {
  const column = (label, key) => {
    if (!key) return el('th', {}, label);
    const current = filters.sort.replace(/^-/, '') === key;
    const descending = filters.sort.startsWith('-');
    return el('th', { class: `sortable ${current ? 'sorted' : ''} ${current && descending ? 'desc' : ''}`,
      onclick: () => go({ ...filters, sort: current && !descending ? `-${key}` : key, page: 1 }) }, label);
  };
  return el('tr', {}, column('Agent', 'uid'), column('Service', 'label.service.name'), column('Host', 'label.host.name'),
    column('Version', 'label.service.version'), column('Health', 'healthy'), column('Config', 'status'),
    el('th', {}, 'Desired config'), column('CPU', 'cpu'), column('Memory', 'memory'), column('Items in', 'throughput'),
    column('Last seen', 'lastSeen'), column('Replica', 'replica'));
}

function row(agent) {
  const labels = agent.labels || {};
  const own = agent.telemetry || {};
  return el('tr', { 'data-uid': agent.uid },
    el('td', { class: 'mono' }, el('a', { href: `#/agents/${encodeURIComponent(agent.uid)}` }, agent.uid)),
    el('td', {}, labels['service.name'] || '—'),
    el('td', {}, labels['host.name'] || '—'),
    el('td', {}, labels['service.version'] || '—'),
    el('td', {}, healthPill(agent.healthy, agent.connected)),
    el('td', {}, statusPill(agent.remoteConfigStatus)),
    el('td', { class: 'mono' }, agent.desiredConfig || '—',
      agent.drift ? el('div', { class: 'error drift', title: agent.drift }, 'drifted') : null),
    el('td', { class: 'figure' }, percent(own.cpuPercent)),
    el('td', { class: 'figure' }, bytes(own.rssBytes)),
    el('td', { class: 'figure' }, rate(own.acceptedPerSecond), el('div', {}, flags(agent.telemetry))),
    el('td', {}, agent.connected ? 'now' : ago(agent.lastSeen)),
    el('td', { class: 'mono replica' }, agent.replica || '—'));
}

function pages(filters, total) {
  const first = total === 0 ? 0 : (filters.page - 1) * SIZE + 1;
  const last = Math.min(total, filters.page * SIZE);
  return [
    el('span', { id: 'range' }, `${first}–${last} of ${total}`),
    el('button', { disabled: filters.page <= 1, onclick: () => go({ ...filters, page: filters.page - 1 }) }, 'Previous'),
    el('button', { disabled: last >= total, onclick: () => go({ ...filters, page: filters.page + 1 }) }, 'Next'),
  ];
}
