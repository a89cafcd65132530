// The admin API as the page calls it: the session's token on every call, and the three ways a
// call can go wrong (the token, the server, the request) told apart.
import { onPause } from './view.js';

const TOKEN_KEY = 'opampfleet.token';

export class ApiError extends Error {
  constructor(status, message, answer = {}) {
    super(message);
    this.status = status;
    // A config's YAML error says where it is.
    this.line = answer.line;
    this.column = answer.column;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(value) {
    if (value) { sessionStorage.setItem(TOKEN_KEY, value); } else { sessionStorage.removeItem(TOKEN_KEY); }
  },
  me: null,
};

/** Listeners for a lost session (401) and an unreachable server. */
export const trouble = { onSessionLost: () => {}, onServerLost: () => {}, onServerBack: () => {} };

export async function api(path, { method = 'GET', body, token = session.token } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    trouble.onServerLost();
    throw new ApiError(0, 'The server is not answering. It may have stopped or the network is down; this page retries.');
  }
  trouble.onServerBack();
  const type = response.headers.get('Content-Type') || '';
  const answer = type.startsWith('application/json') ? await response.json() : await response.text();
  if (response.status === 401) {
    trouble.onSessionLost();
    throw new ApiError(401, answer.error || 'The token is not known.');
  }
  if (!response.ok) {
    throw new ApiError(response.status, answer.error || `The server answered ${response.status}.`, answer);
  }
  return answer;
}

export function canOperate() {
  return session.me && (session.me.role === 'operator' || session.me.role === 'admin');
}

/** Shows, as a selector is typed, how many agents it matches (and the first few, with {@code sample}). */
export function previewSelector(input, output, { sample = false } = {}) {
  async function show() {
    try {
      const preview = await api(`/api/v1/selectors/preview?selector=${encodeURIComponent(input.value.trim())}`);
      const few = sample && preview.sample.length
        ? `: ${preview.sample.slice(0, 3).join(', ')}${preview.matches > 3 ? ', …' : ''}` : '';
      output.className = 'muted';
      output.textContent = `${preview.matches} agents match${few}`;
    } catch (e) {
      output.className = 'error';
      output.textContent = e.message;
    }
  }
  onPause(input, 300, show);
  show();
}
