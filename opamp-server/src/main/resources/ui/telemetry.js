// Agents' own figures (CPU, memory, throughput, drops, queues): formatters for the fleet's columns and
// small inline SVG charts for the agent page.
import { el, pill } from './view.js';

const SVG = 'http://www.w3.org/2000/svg';

export function percent(value) {
  return value === null || value === undefined ? '—' : `${value.toFixed(value < 10 ? 1 : 0)} %`;
}

export function bytes(value) {
  if (value === null || value === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${n.toFixed(n < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

export function rate(value) {
  if (value === null || value === undefined) return '—';
  return value >= 1000 ? `${(value / 1000).toFixed(1)}k/s` : `${value.toFixed(value < 10 ? 1 : 0)}/s`;
}

/** The flags an agent's figures raise: dropping data, a queue filling. */
export function flags(summary) {
  if (!summary) return null;
  return [summary.droppingData ? pill('dropping data', 'bad') : null, ' ',
    summary.queueFilling ? pill('queue filling', 'warn') : null];
}

/** A line chart of one or more series of the samples, with the latest values as a legend. */
export function chart(title, samples, series, format) {
  const width = 320;
  const height = 72;
  const times = samples.map((s) => s.at);
  const values = series.flatMap(([key]) => samples.map((s) => s[key])).filter((v) => v !== null);
  const max = Math.max(1e-9, ...values);
  const first = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - first);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  for (const [key, , colour] of series) {
    const points = samples.filter((s) => s[key] !== null).map((s) =>
      `${(((s.at - first) / span) * (width - 4) + 2).toFixed(1)},${(height - 2 - (s[key] / max) * (height - 6)).toFixed(1)}`);
    const line = document.createElementNS(SVG, points.length === 1 ? 'circle' : 'polyline');
    if (points.length === 1) {
      const [x, y] = points[0].split(',');
      line.setAttribute('cx', x);
      line.setAttribute('cy', y);
      line.setAttribute('r', 2.5);
      line.setAttribute('fill', colour);
    } else {
      line.setAttribute('points', points.join(' '));
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', colour);
      line.setAttribute('stroke-width', 1.5);
    }
    svg.append(line);
  }
  const latest = samples[samples.length - 1] || {};
  return el('figure', { class: 'chart-box' },
    el('figcaption', {}, el('b', {}, title), ' ', series.map(([key, label, colour]) =>
      el('span', { class: 'legend', style: `--c: ${colour}` }, `${label} ${format(latest[key])}`))),
    svg, el('div', { class: 'muted axis' }, `max ${format(max)}`));
}
