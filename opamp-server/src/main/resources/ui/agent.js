// One agent: what it says of itself, its health tree, config, packages, connection, events and
// rollouts, and what an operator can do to it.
import { api, canOperate } from './api.js';
import { ago, el, every, healthPill, keyValues, pill, statusPill, yaml } from './view.js';
import { bytes, chart, flags, percent, rate } from './telemetry.js';

const REFRESH_MS = 5000;

export function agentPage(main, uid) {
  const content = el('div', { id: 'agent' });
  const notice = el('p', { id: 'agent-notice', class: 'muted' });
  main.append(el('p', {}, el('a', { href: '#/fleet' }, '← Fleet')), content, notice);
  let configs = [];

  async function refresh() {
    try {
      const [agent, events, attempts, telemetry] = await Promise.all([
        api(`/api/v1/agents/${encodeURIComponent(uid)}`),
        api(`/api/v1/agents/${encodeURIComponent(uid)}/events?limit=20`),
        api(`/api/v1/agents/${encodeURIComponent(uid)}/rollouts`),
        api(`/api/v1/agents/${encodeURIComponent(uid)}/telemetry`)]);
      if (canOperate() && configs.length === 0) configs = await api('/api/v1/configs');
      content.replaceChildren(...render(agent, events, attempts, configs, notice, telemetry).filter(Boolean));
    } catch (e) {
      if (e.status !== 401 && e.status !== 0) content.replaceChildren(el('p', { class: 'error' }, e.message));
    }
  }
  return every(REFRESH_MS, refresh);
}

function render(agent, events, attempts, configs, notice, telemetry) {
  const name = (agent.labels || {})['service.name'] || 'agent';
  return [
    el('h1', {}, `${name} `, el('span', { class: 'mono muted' }, agent.uid), ' ', healthPill(agent.healthy, agent.connected)),
    canOperate() ? actions(agent, configs, notice) : null,
    card('Own telemetry', ownTelemetry(agent, telemetry)),
    el('div', { class: 'grid2' },
      el('div', {},
        card('Identifying attributes', keyValues(agent.identifyingAttributes)),
        card('Non-identifying attributes', keyValues(agent.nonIdentifyingAttributes)),
        card('Capabilities', el('p', {}, (agent.capabilities || []).map((c) => [pill(c), ' ']))),
        card('Connection', keyValues({
          connected: agent.connected ? `yes, since ${new Date(agent.connectedSince).toLocaleString()}` : 'no',
          'last seen': ago(agent.lastSeen),
          address: agent.remoteAddress || '—',
          'certificate subject': agent.certificate ? agent.certificate.subject : 'none',
          'certificate SHA-256': agent.certificate ? agent.certificate.sha256 : '—',
        }))),
      el('div', {},
        card('Health', agent.health ? el('ul', { class: 'tree root', id: 'health' }, healthNode('collector', agent.health))
          : el('p', { class: 'muted' }, 'not reported')),
        card('Remote config', remoteConfig(agent)),
        card('Packages', packages(agent.packages)),
        card('Rollouts', attemptList(attempts)),
        card('Recent events', eventList(events)))),
    card('Effective config', effective(agent.effectiveConfig)),
  ];
}

function card(title, ...body) {
  return el('section', { class: 'card' }, el('h2', {}, title), ...body);
}

// What the collector says of itself over OTLP: the window of figures drawn, and each component's totals.
function ownTelemetry(agent, telemetry) {
  if (!telemetry || !telemetry.latest) {
    const reports = (agent.capabilities || []).includes('ReportsOwnMetrics');
    return el('p', { class: 'muted', id: 'own-telemetry' }, reports
      ? 'No own metrics received yet (a collector sends them every minute by default).'
      : 'This agent does not report its own metrics.');
  }
  const samples = telemetry.samples;
  const components = (title, list, good, bad) => (list.length === 0 ? null : el('table', {},
    el('tr', {}, el('th', {}, title), el('th', {}, good), el('th', {}, bad), el('th', {}, 'queue')),
    list.map((c) => el('tr', {}, el('td', { class: 'mono' }, c.name), el('td', {}, Math.round(c[good]).toLocaleString()),
      el('td', { class: c[bad] > 0 ? 'error' : '' }, Math.round(c[bad]).toLocaleString()),
      el('td', {}, c.queueCapacity ? `${c.queueSize} / ${c.queueCapacity}` : '—')))));
  return el('div', { id: 'own-telemetry' },
    el('p', {}, flags(telemetry.latest), ' ', el('span', { class: 'muted' }, `last received ${ago(telemetry.latest.at)}`)),
    el('div', { class: 'charts' },
      chart('CPU', samples, [['cpuPercent', '', '#2b6cb0']], percent),
      chart('Memory (RSS)', samples, [['rssBytes', '', '#805ad5']], bytes),
      chart('Items', samples, [['acceptedPerSecond', 'accepted', '#2f855a'], ['sentPerSecond', 'sent', '#38b2ac']], rate),
      chart('Dropped', samples, [['refusedPerSecond', 'refused', '#c53030'], ['failedPerSecond', 'failed', '#ed8936']], rate),
      chart('Exporter queues', samples, [['queueSize', 'size', '#b7791f'], ['queueCapacity', 'capacity', '#a0aec0']],
        (v) => (v === null || v === undefined ? '—' : Math.round(v).toLocaleString()))),
    el('div', { class: 'grid2' },
      components('Receiver', telemetry.receivers, 'accepted', 'refused'),
      components('Exporter', telemetry.exporters, 'sent', 'failed')));
}

function healthNode(name, node) {
  const children = Object.entries(node.components || {});
  return el('li', {},
    node.healthy ? pill('ok', 'ok') : pill('down', 'bad'), ' ', el('span', { class: 'mono' }, name),
    node.status ? el('span', { class: 'muted' }, ` ${node.status}`) : null,
    node.lastError ? el('div', { class: 'error' }, node.lastError) : null,
    children.length ? el('ul', { class: 'tree' }, children.map(([child, value]) => healthNode(child, value))) : null);
}

function remoteConfig(agent) {
  const remote = agent.remoteConfig || {};
  return el('div', { id: 'remote-config' },
    el('p', {}, statusPill(remote.status), ' ', agent.desiredConfig
      ? ['desired ', el('span', { class: 'mono' }, agent.desiredConfig), agent.runsDesiredConfig ? ' (running)' : '']
      : agent.desiresLocalConfig ? 'desired: its local config (a rollout was rolled back)' : 'no desired config'),
    remote.errorMessage ? el('pre', { class: 'error mono' }, remote.errorMessage) : null);
}

function packages(list) {
  if (!list || list.length === 0) return el('p', { class: 'muted' }, 'none reported');
  return el('table', {}, el('tr', {}, el('th', {}, 'Package'), el('th', {}, 'Has'), el('th', {}, 'Offered'), el('th', {}, 'Status')),
    list.map((p) => el('tr', {}, el('td', {}, p.name || '(top level)'), el('td', {}, p.agentHasVersion || '—'),
      el('td', {}, p.serverOfferedVersion || '—'),
      el('td', {}, pill(p.status, p.status === 'Installed' ? 'ok' : p.status === 'InstallFailed' ? 'bad' : 'warn'),
        p.errorMessage ? el('div', { class: 'error' }, p.errorMessage) : null))));
}

// Each rollout the agent was in: what it was offered, how that ended and why, and what it went back to.
function attemptList(attempts) {
  if (!attempts || attempts.length === 0) return el('p', { class: 'muted' }, 'none');
  const tone = { DONE: 'ok', ROLLED_BACK: 'warn', FAILED: 'bad', ROLLBACK_FAILED: 'bad' };
  return el('table', { id: 'attempts' },
    el('tr', {}, el('th', {}, 'Rollout'), el('th', {}, 'Offered'), el('th', {}, 'Result'), el('th', {}, 'Went back to')),
    attempts.map((a) => el('tr', {},
      el('td', {}, el('a', { href: `#/rollouts/${a.rollout}` }, `#${a.rollout}`), el('div', { class: 'muted' }, ago(a.since))),
      el('td', { class: 'mono' }, a.offered),
      el('td', {}, pill(a.result, tone[a.result]), a.reason ? el('div', { class: 'muted' }, a.reason) : null),
      el('td', { class: 'mono' }, a.wentBackTo || '—'))));
}

function eventList(events) {
  if (!events || events.length === 0) return el('p', { class: 'muted' }, 'none');
  return el('table', { id: 'events' }, events.map((e) => el('tr', {},
    el('td', { class: 'muted' }, ago(e.at)), el('td', {}, pill(e.kind)), el('td', {}, e.detail))));
}

function effective(files) {
  const entries = Object.entries(files || {});
  if (entries.length === 0) return el('p', { class: 'muted' }, 'not reported');
  return entries.map(([name, body]) => [entries.length > 1 ? el('h3', {}, name || '(main)') : null, yaml(body)]);
}

function actions(agent, configs, notice) {
  const act = (label, path, body, confirmText, cls) => el('button', { class: cls, onclick: async () => {
    if (confirmText && !window.confirm(confirmText)) return;
    try {
      await api(path, { method: 'POST', body });
      notice.textContent = `${label}: sent.`;
    } catch (e) {
      notice.textContent = `${label}: ${e.message}`;
    }
  } }, label);
  const base = `/api/v1/agents/${encodeURIComponent(agent.uid)}`;
  const versions = el('select', { id: 'push-version', 'aria-label': 'config version' },
    configs.map((c) => el('option', { value: `${c.name}@${c.version}` }, `${c.name}@${c.version}`)));
  const push = el('button', { id: 'push', onclick: async () => {
    const [config, version] = versions.value.split('@');
    try {
      await api(`${base}/config`, { method: 'POST', body: { config, version: Number(version) } });
      notice.textContent = `Pushed ${versions.value}.`;
    } catch (e) {
      notice.textContent = `Push: ${e.message}`;
    }
  } }, 'Push config');
  const pushControls = configs.length ? [versions, push] : el('span', { class: 'muted' }, 'No config versions to push yet.');
  return el('div', { class: 'card actions' }, pushControls,
    act('Restart', `${base}/restart`, {}, 'Restart this agent\'s collector?'),
    act('Rotate certificate', `${base}/certificate`, {}, 'Give this agent a new client certificate?'));
}
