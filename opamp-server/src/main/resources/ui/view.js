// Small helpers that build the page's elements without writing HTML strings by hand.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Runs {@code action} now and every {@code millis} after; returns what stops it (a view's live refresh). */
export function every(millis, action) {
  action();
  const timer = setInterval(action, millis);
  return () => clearInterval(timer);
}

/** Runs {@code action} once the user stops typing in {@code input} for {@code millis}. */
export function onPause(input, millis, action) {
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(action, millis);
  });
}

export function pill(text, kind) {
  return el('span', { class: `pill ${kind || ''}` }, text);
}

export function healthPill(healthy, connected) {
  if (connected === false) return pill('offline', 'warn');
  return healthy ? pill('healthy', 'ok') : pill('unhealthy', 'bad');
}

export function statusPill(status) {
  const kind = { APPLIED: 'ok', FAILED: 'bad', APPLYING: 'warn' }[status];
  return pill(status, kind);
}

export function ago(millis) {
  if (!millis) return '—';
  const seconds = Math.max(0, Math.round((Date.now() - millis) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return new Date(millis).toLocaleString();
}

export function keyValues(map) {
  const entries = Object.entries(map || {});
  if (entries.length === 0) return el('p', { class: 'muted' }, 'none');
  return el('dl', { class: 'kv' }, entries.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

/** YAML with keys, strings, numbers and comments coloured; text only, never markup from the agent. */
export function yaml(text) {
  const pre = el('pre', { class: 'yaml' });
  for (const line of (text || '').split('\n')) {
    const comment = line.match(/^(\s*)(#.*)$/);
    const pair = line.match(/^(\s*-?\s*)([^:#'"]+?):(\s|$)(.*)$/);
    if (comment) {
      pre.append(comment[1], el('span', { class: 'c' }, comment[2]));
    } else if (pair) {
      pre.append(pair[1], el('span', { class: 'k' }, pair[2]), ':', pair[3], value(pair[4]));
    } else {
      pre.append(line);
    }
    pre.append('\n');
  }
  return pre;
}

function value(text) {
  if (/^(['"]).*\1$/.test(text.trim())) return el('span', { class: 's' }, text);
  if (/^-?\d+(\.\d+)?$/.test(text.trim()) || /^(true|false|null)$/.test(text.trim())) return el('span', { class: 'n' }, text);
  return text;
}
