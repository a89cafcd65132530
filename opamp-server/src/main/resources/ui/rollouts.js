// Rollouts: start one (with a live count of the agents its selector matches), watch it wave by
// wave, pause, resume or abort it, and the history of past ones with why each ended.
import { api, canOperate, previewSelector } from './api.js';
import { ago, el, every, onPause, pill } from './view.js';

/** What a rollout installs: its config version, its package version, or both. */
const changeLabel = (r) => [r.config ? `${r.config}@${r.version}` : null,
  r.packageName != null ? `package ${r.packageName || '(top level)'}@${r.packageVersion}` : null]
  .filter(Boolean).join(' with ');

const STATE_KIND = { SUCCEEDED: 'ok', RUNNING: 'warn', PAUSED: 'warn', PENDING: 'warn', ROLLING_BACK: 'bad',
  FAILED: 'bad', ROLLED_BACK: 'bad', ABORTED: 'bad' };
const PROGRESS = ['DONE', 'BAKING', 'APPLYING', 'WAITING', 'FAILED', 'ROLLING_BACK', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'PENDING'];

function statePill(state) {
  return pill(state, STATE_KIND[state]);
}

export function rolloutsPage(main) {
  const history = el('div', { id: 'rollout-history' });
  main.append(el('h1', {}, 'Rollouts'));
  if (canOperate()) main.append(createForm());
  main.append(el('section', { class: 'card' }, el('h2', {}, 'History'), history));
  async function refresh() {
    const rollouts = await api('/api/v1/rollouts');
    history.replaceChildren(rollouts.length === 0 ? el('p', { class: 'muted' }, 'none yet')
      : el('table', {}, el('tr', {}, ['#', 'State', 'Installs', 'Selector', 'Agents', 'By', 'Started', 'Why it ended']
        .map((h) => el('th', {}, h))),
      [...rollouts].sort((a, b) => b.id - a.id).map((r) => el('tr', { 'data-rollout': r.id },
        el('td', {}, el('a', { href: `#/rollouts/${r.id}` }, `#${r.id}`)), el('td', {}, statePill(r.state)),
        el('td', { class: 'mono' }, changeLabel(r)), el('td', { class: 'mono' }, r.selector || '(every agent)'),
        el('td', {}, r.agents), el('td', {}, r.createdBy), el('td', {}, ago(r.createdAt)), el('td', {}, r.reason || '')))));
  }
  return every(3000, () => refresh().catch(() => {}));
}

function createForm() {
  const field = (label, input) => el('label', { class: 'field' }, el('span', {}, label), input);
  const selector = el('input', { id: 'rollout-selector', class: 'mono', placeholder: 'env=prod,tier in (web,api)' });
  const matches = el('span', { id: 'rollout-matches', class: 'muted' });
  const config = el('select', { id: 'rollout-config', 'aria-label': 'config' });
  const version = el('input', { id: 'rollout-version', type: 'number', min: 1, style: 'width: 90px' });
  const waves = el('input', { id: 'rollout-waves', value: '10%,50%,100%' });
  const bake = el('input', { id: 'rollout-bake', value: '30s', style: 'width: 90px' });
  const budget = el('input', { id: 'rollout-budget', value: '0', style: 'width: 90px' });
  const timeout = el('input', { id: 'rollout-timeout', value: '2m', style: 'width: 90px' });
  const error = el('p', { class: 'error', id: 'rollout-error' });
  const plan = el('p', { class: 'muted', id: 'rollout-plan' });
  const body = () => ({ selector: selector.value.trim(), config: config.value, version: Number(version.value),
    waves: waves.value, bake: bake.value, failureBudget: budget.value, applyTimeout: timeout.value });
  // What starting now would do: the waves it makes, and what it leaves out and why, or why it would be refused.
  async function showPlan() {
    if (!config.value) return;
    try {
      const p = await api('/api/v1/rollouts/preview', { method: 'POST', body: body() });
      plan.className = p.refused ? 'error' : 'muted';
      plan.textContent = p.refused ? `Would be refused: ${p.refused}`
        : `Would start: ${p.agents} agents in waves of ${p.waves.join(', ')}${p.pending ? `, ${p.pending} pending` : ''}`
          + (p.reason ? `. ${p.reason}` : '');
    } catch (e) {
      plan.className = 'error';
      plan.textContent = e.message;
    }
  }
  [selector, version, waves, bake, budget, timeout].forEach((input) => onPause(input, 400, showPlan));
  previewSelector(selector, matches);
  api('/api/v1/configs').then((configs) => {
    config.replaceChildren(...configs.map((c) => el('option', { value: c.name, 'data-latest': c.version }, c.name)));
    version.value = configs.length ? configs[0].version : '';
    showPlan();
  }).catch(() => {});
  config.addEventListener('change', () => {
    version.value = config.selectedOptions[0].dataset.latest;
    showPlan();
  });
  const start = el('button', { class: 'primary', id: 'rollout-start', onclick: async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const rollout = await api('/api/v1/rollouts', { method: 'POST', body: body() });
      location.hash = `#/rollouts/${rollout.id}`;
    } catch (e) {
      error.textContent = e.message;
    }
  } }, 'Start rollout');
  return el('form', { class: 'card', id: 'rollout-form' }, el('h2', {}, 'New rollout'),
    el('div', { class: 'filters' }, field('Selector', selector), matches),
    el('div', { class: 'filters' }, field('Config', config), field('Version', version), field('Waves', waves),
      field('Bake', bake), field('Failure budget', budget), field('Apply timeout', timeout), start),
    plan, error);
}

export function rolloutPage(main, id) {
  const content = el('div', { id: 'rollout' });
  const notice = el('p', { class: 'muted', id: 'rollout-notice' });
  main.append(el('p', {}, el('a', { href: '#/rollouts' }, '← Rollouts')), content, notice);
  async function refresh() {
    const rollout = await api(`/api/v1/rollouts/${encodeURIComponent(id)}`);
    content.replaceChildren(...render(rollout, notice, refresh));
  }
  // A rollout that cannot be read at all says why; a later failed refresh keeps what is shown.
  return every(1000, () => refresh().catch((e) => {
    if (!content.firstChild) content.replaceChildren(el('p', { class: 'error' }, e.message));
  }));
}

function render(r, notice, refresh) {
  const control = (label, action, shown) => shown ? el('button', { id: `rollout-${action}`, onclick: async () => {
    try {
      await api(`/api/v1/rollouts/${r.id}/${action}`, { method: 'POST' });
      await refresh();
    } catch (e) {
      notice.textContent = `${label}: ${e.message}`;
    }
  } }, label) : null;
  const live = !['SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'ABORTED'].includes(r.state);
  return [
    el('h1', {}, `Rollout #${r.id} `, el('span', { id: 'rollout-state' }, statePill(r.state))),
    r.reason ? el('p', { id: 'rollout-reason' }, r.reason) : null,
    el('p', { class: 'muted' }, `${changeLabel(r)} to ${r.agents} agents matching `,
      el('span', { class: 'mono' }, r.selector || '(every agent)'),
      ` · waves ${r.waves} · bake ${r.bakeMillis / 1000} s · failure budget ${r.budget} · started by ${r.createdBy} ${ago(r.createdAt)}`),
    canOperate() && live ? el('div', { class: 'actions' }, control('Pause', 'pause', r.state === 'RUNNING'),
      control('Resume', 'resume', r.state === 'PAUSED'), control('Abort', 'abort', r.state === 'RUNNING' || r.state === 'PAUSED')) : null,
    el('section', { class: 'card' }, el('h2', {}, 'Agents by state'), el('div', { class: 'counts', id: 'rollout-counts' },
      PROGRESS.filter((p) => r.counts[p]).map((p) => el('div', { class: 'count' }, el('b', {}, r.counts[p]),
        el('span', {}, p.toLowerCase().replace('_', ' ')))))),
    el('section', { class: 'card' }, el('h2', {}, 'Waves'), el('div', { id: 'waves' },
      r.waveProgress.map((wave) => waveBar(wave, r.currentWave))),
      r.counts.PENDING ? el('p', { class: 'muted', id: 'rollout-pending' }, `${r.counts.PENDING} matched agents were`
        + ' offline when the rollout started: they are in no wave, spend no failure budget, and get the version when'
        + ' they connect only if the rollout succeeds.') : null),
    el('section', { class: 'card' }, el('h2', {}, 'Failing agents'), r.failing.length === 0
      ? el('p', { class: 'muted' }, 'none')
      : el('table', { id: 'failing' }, el('tr', {}, ['Agent', 'Wave', 'State', 'Message'].map((h) => el('th', {}, h))),
        r.failing.map((f) => el('tr', {}, el('td', { class: 'mono' }, el('a', { href: `#/agents/${f.uid}` }, f.uid)),
          el('td', {}, f.wave), el('td', {}, pill(f.progress, 'bad')), el('td', {}, f.message))))),
  ].filter(Boolean);
}

function waveBar(wave, current) {
  const segments = PROGRESS.filter((p) => wave.counts[p]).map((p) => el('span', {
    class: `segment ${p.toLowerCase()}`, style: `width: ${(100 * wave.counts[p]) / Math.max(1, wave.size)}%`,
    title: `${wave.counts[p]} ${p.toLowerCase()}` }));
  const done = wave.counts.DONE || 0;
  return el('div', { class: 'wave', 'data-wave': wave.number },
    el('span', { class: 'wave-label' }, `Wave ${wave.number}${wave.number === current ? ' (current)' : ''}`,
      wave.selector ? el('div', { class: 'mono muted' }, `${wave.selector} · bake ${wave.bakeMillis / 1000} s`) : null),
    el('div', { class: 'bar' }, segments),
    el('span', { class: 'wave-count' }, `${done}/${wave.size} done`));
}
