// Configs: their versions, a side-by-side diff between any two, an editor that shows a YAML error
// at its line before saving, and the assignments with the agents their selectors match.
import { api, canOperate, previewSelector } from './api.js';
import { ago, el, onPause, pill } from './view.js';

export function configsPage(main) {
  const content = el('div', { id: 'configs' });
  main.append(el('h1', {}, 'Configs'), content);
  (async () => {
    const [configs, assignments] = await Promise.all([api('/api/v1/configs'), api('/api/v1/assignments')]);
    content.append(
      canOperate() ? el('p', {}, el('a', { class: 'button', href: '#/configs/new', id: 'new-config' }, 'New config')) : null,
      el('section', { class: 'card' }, el('h2', {}, 'Configs'), configs.length === 0 ? el('p', { class: 'muted' }, 'none yet')
        : el('table', { id: 'config-list' }, el('tr', {}, ['Name', 'Latest', 'Author', 'Comment', 'Saved'].map((h) => el('th', {}, h))),
          configs.map((c) => el('tr', {},
            el('td', {}, el('a', { href: `#/configs/${encodeURIComponent(c.name)}` }, c.name)),
            el('td', {}, `v${c.version}`), el('td', {}, c.author), el('td', {}, c.comment || ''), el('td', {}, ago(c.createdAt)))))),
      el('section', { class: 'card', id: 'assignments' }, el('h2', {}, 'Assignments'),
        canOperate() && configs.length ? assignmentForm(configs) : null,
        assignments.length === 0 ? el('p', { class: 'muted' }, 'none')
        : el('table', {}, el('tr', {}, ['Name', 'Selector', 'Config', 'Matches'].map((h) => el('th', {}, h))),
          assignments.map((a) => el('tr', {}, el('td', {}, a.name), el('td', { class: 'mono' }, a.selector || '(every agent)'),
            el('td', { class: 'mono' }, `${a.config}@${a.version}`),
            el('td', {}, el('a', { href: `#/fleet?selector=${encodeURIComponent(a.selector)}` }, `${a.matches} agents`)))))));
  })();
  return () => {};
}

/** An assignment: a selector (with a live preview of the agents it matches) gets a config version. */
function assignmentForm(configs) {
  const name = el('input', { id: 'assignment-name', placeholder: 'name, e.g. prod-gateways' });
  const selector = el('input', { id: 'assignment-selector', class: 'mono', placeholder: 'env=prod' });
  const preview = el('span', { id: 'assignment-preview', class: 'muted' });
  const config = el('select', { id: 'assignment-config', 'aria-label': 'config' },
    configs.map((c) => el('option', { value: `${c.name}@${c.version}` }, `${c.name}@${c.version}`)));
  const error = el('p', { class: 'error', id: 'assignment-error' });
  previewSelector(selector, preview, { sample: true });
  const save = el('button', { class: 'primary', id: 'assignment-save', onclick: async (event) => {
    event.preventDefault();
    const [configName, version] = config.value.split('@');
    try {
      await api(`/api/v1/assignments/${encodeURIComponent(name.value.trim())}`, { method: 'PUT',
        body: { selector: selector.value.trim(), config: configName, version: Number(version) } });
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (e) {
      error.textContent = e.message;
    }
  } }, 'Assign');
  return el('form', { class: 'filters', id: 'assignment-form' }, name, selector, config, save, preview, error);
}

export function configPage(main, name) {
  const isNew = name === 'new';
  const content = el('div', { id: 'config' });
  main.append(el('p', {}, el('a', { href: '#/configs' }, '← Configs')), content);
  (async () => {
    const versions = isNew ? [] : await api(`/api/v1/configs/${encodeURIComponent(name)}/versions`);
    const latest = versions.length ? await api(`/api/v1/configs/${encodeURIComponent(name)}/versions/${versions[versions.length - 1].version}`) : null;
    content.append(el('h1', {}, isNew ? 'New config' : name));
    if (versions.length) content.append(versionList(versions));
    if (versions.length > 1) content.append(diffCard(name, versions));
    if (canOperate()) content.append(editor(isNew ? null : name, latest ? latest.body : ''));
  })();
  return () => {};
}

function versionList(versions) {
  return el('section', { class: 'card' }, el('h2', {}, 'Versions'),
    el('table', { id: 'versions' }, el('tr', {}, ['Version', 'Author', 'Comment', 'Saved', 'SHA-256'].map((h) => el('th', {}, h))),
      [...versions].reverse().map((v) => el('tr', {}, el('td', {}, `v${v.version}`), el('td', {}, v.author),
        el('td', {}, v.comment || ''), el('td', {}, ago(v.createdAt)), el('td', { class: 'mono' }, v.sha256.slice(0, 12))))));
}

function diffCard(name, versions) {
  const options = (selected) => versions.map((v) => el('option', { value: v.version, selected: v.version === selected }, `v${v.version}`));
  const last = versions[versions.length - 1].version;
  const from = el('select', { id: 'diff-from', 'aria-label': 'from version' }, options(Math.max(1, last - 1)));
  const to = el('select', { id: 'diff-to', 'aria-label': 'to version' }, options(last));
  const view = el('div', { id: 'diff' });
  async function show() {
    const diff = await api(`/api/v1/configs/${encodeURIComponent(name)}/diff?from=${from.value}&to=${to.value}`);
    view.replaceChildren(el('p', { class: 'muted', id: 'diff-summary' },
      `${diff.from} → ${diff.to}: ${diff.summary.added} added, ${diff.summary.removed} removed`), sideBySide(diff.lines));
  }
  from.addEventListener('change', show);
  to.addEventListener('change', show);
  show();
  return el('section', { class: 'card' }, el('h2', {}, 'Diff'), el('div', { class: 'filters' }, 'from', from, 'to', to), view);
}

/** Removed and added runs side by side, row by row; unchanged lines on both sides. */
function sideBySide(lines) {
  const rows = [];
  let removed = [];
  let added = [];
  const flush = () => {
    for (let i = 0; i < Math.max(removed.length, added.length); i++) {
      rows.push(row(removed[i], added[i]));
    }
    removed = [];
    added = [];
  };
  for (const line of lines) {
    if (line.kind === 'REMOVED') removed.push(line);
    else if (line.kind === 'ADDED') added.push(line);
    else { flush(); rows.push(row(line, line)); }
  }
  flush();
  return el('table', { class: 'diff mono' }, rows);
}

function row(left, right) {
  const side = (line, number, kind) => line
    ? [el('td', { class: 'ln' }, number), el('td', { class: kind }, line.text)]
    : [el('td', { class: 'ln' }), el('td', { class: 'empty' })];
  return el('tr', {},
    side(left, left && left.oldLine, left && left.kind === 'REMOVED' ? 'removed' : ''),
    side(right, right && right.newLine, right && right.kind === 'ADDED' ? 'added' : ''));
}

function editor(name, body) {
  const nameInput = name ? null : el('input', { id: 'config-name', placeholder: 'name, e.g. gateway', required: true });
  const text = el('textarea', { id: 'config-body', rows: 18, spellcheck: 'false', class: 'mono' });
  text.value = body;
  const status = el('p', { id: 'config-check', class: 'muted' }, 'Checked as you type.');
  const comment = el('input', { id: 'config-comment', placeholder: 'what changed' });
  let valid = body !== '';
  async function check() {
    try {
      await api('/api/v1/configs/validate', { method: 'POST', body: { body: text.value } });
      valid = true;
      status.className = 'muted';
      status.textContent = 'Valid YAML.';
    } catch (e) {
      valid = false;
      status.className = 'error';
      status.textContent = e.message;
      if (e.line) selectLine(text, e.line);
    }
  }
  onPause(text, 400, check);
  const save = el('button', { class: 'primary', id: 'config-save', onclick: async () => {
    const target = name || nameInput.value.trim();
    await check();
    if (!valid) return;
    try {
      const saved = await api(`/api/v1/configs/${encodeURIComponent(target)}/versions`, { method: 'POST',
        body: { body: text.value, comment: comment.value } });
      location.hash = `#/configs/${encodeURIComponent(saved.name)}`;
      if (name) window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (e) {
      status.className = 'error';
      status.textContent = e.message;
    }
  } }, 'Save as new version');
  // Secrets read as <redacted> (only admins read them) are kept as stored when the version is saved.
  const secrets = body.includes('<redacted>') ? el('p', { id: 'config-secrets', class: 'muted' },
    'Values shown as <redacted> are secrets only admins read; saving keeps what the latest version has there.') : null;
  return el('section', { class: 'card', id: 'editor' }, el('h2', {}, name ? 'New version' : 'First version'),
    nameInput, secrets, status, text, el('div', { class: 'actions' }, comment, save), pill('versions are immutable'));
}

/** Puts the cursor on the line with the error, so the user sees where it is. */
function selectLine(textarea, line) {
  const lines = textarea.value.split('\n');
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  const end = start + (lines[line - 1] || '').length;
  if (document.activeElement !== textarea) textarea.setSelectionRange(start, end);
}
