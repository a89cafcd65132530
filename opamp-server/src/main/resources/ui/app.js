// The page's frame: sign-in, the session, the banner, and which view the address shows.
import { api, ApiError, session, trouble } from './api.js';
import { el } from './view.js';
import { fleetPage } from './fleet.js';
import { agentPage } from './agent.js';
import { configPage, configsPage } from './configs.js';
import { rolloutPage, rolloutsPage } from './rollouts.js';
import { auditPage } from './audit.js';

const main = document.getElementById('main');
const banner = document.getElementById('banner');
let stopView = () => {};
let signInMessage = '';

function sessionLost() {
  session.token = null;
  session.me = null;
  signInMessage = 'Your session has ended: the server no longer accepts this token. Sign in again.';
  route();
}
trouble.onServerLost = () => showBanner('The server is not answering. It may have stopped or the network is down; this page keeps trying.');
trouble.onServerBack = () => hideBanner();

function showBanner(text) {
  banner.textContent = text;
  banner.hidden = false;
}

function hideBanner() {
  banner.hidden = true;
}

function signInView() {
  const input = el('input', { type: 'password', name: 'token', id: 'token', autocomplete: 'off', required: true,
    placeholder: 'ofl_…' });
  const error = el('p', { class: 'error', id: 'signin-error' }, signInMessage);
  const form = el('form', { class: 'card signin', id: 'signin', onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = '';
    const token = input.value.trim();
    try {
      session.me = await api('/api/v1/whoami', { token });
      session.token = token;
      signInMessage = '';
      location.hash = '#/fleet';
      route();
    } catch (e) {
      error.textContent = e.status === 401
        ? 'That token is not known to this server. Check it, or ask an admin for one.'
        : e.message;
    }
  } },
  el('h1', {}, 'Sign in'),
  el('label', { for: 'token' }, 'API token'),
  input,
  el('button', { class: 'primary', type: 'submit' }, 'Sign in'),
  error,
  el('p', { class: 'muted' }, 'The token is kept for this tab only and forgotten when it closes.'));
  // A 401 while signing in is only a wrong token, not a lost session.
  trouble.onSessionLost = () => {};
  return form;
}

async function route() {
  stopView();
  stopView = () => {};
  main.replaceChildren();
  const signedIn = Boolean(session.token);
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  if (!signedIn) {
    main.append(signInView());
    document.getElementById('token').focus();
    return;
  }
  trouble.onSessionLost = sessionLost;
  if (!session.me) {
    try {
      session.me = await api('/api/v1/whoami');
    } catch (e) {
      if (e.status !== 401) main.append(el('p', { class: 'error' }, e.message));
      return;
    }
  }
  document.getElementById('who-name').textContent = session.me.name;
  document.getElementById('who-role').textContent = session.me.role;
  const [path, query] = (location.hash.slice(1) || '/fleet').split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean);
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('current', link.dataset.section === (parts[0] === 'agents' ? 'fleet' : parts[0]));
  }
  if (parts[0] === 'agents' && parts[1]) {
    stopView = agentPage(main, decodeURIComponent(parts[1]));
  } else if (parts[0] === 'configs' && parts[1]) {
    stopView = configPage(main, decodeURIComponent(parts[1]));
  } else if (parts[0] === 'configs') {
    stopView = configsPage(main);
  } else if (parts[0] === 'rollouts' && parts[1]) {
    stopView = rolloutPage(main, decodeURIComponent(parts[1]));
  } else if (parts[0] === 'rollouts') {
    stopView = rolloutsPage(main);
  } else if (parts[0] === 'audit') {
    stopView = auditPage(main, params);
  } else {
    stopView = fleetPage(main, params);
  }
}

document.getElementById('sign-out').addEventListener('click', () => {
  session.token = null;
  session.me = null;
  signInMessage = 'Signed out.';
  route();
});
window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', (event) => {
  // Failures the views did not show themselves: shown once here rather than lost in the console.
  if (event.reason instanceof ApiError) {
    event.preventDefault();
    if (event.reason.status !== 401 && event.reason.status !== 0) showBanner(event.reason.message);
  }
});
route();
