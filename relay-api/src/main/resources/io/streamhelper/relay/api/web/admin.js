// For admins: the server's accounts (list, create) and its health.
import { api } from './api.js';
import { h, field, form, show } from './dom.js';
import { date, duration } from './format.js';

export async function adminView(view) {
  const users = h('tbody', { id: 'users' });
  const health = h('dl', { class: 'pairs', id: 'health' });
  async function load() {
    const list = await api('GET', '/users');
    users.replaceChildren(...list.map((u) => h('tr', {}, h('td', {}, u.email), h('td', {}, u.role), h('td', {}, date(u.createdAt)))));
    // The health check answers 503 with a body while the server is starting or stopping.
    const response = await fetch('/api/v1/server/healthcheck', { cache: 'no-store', credentials: 'omit' });
    const s = await response.json();
    health.replaceChildren(
      h('dt', {}, 'Status'), h('dd', { id: 'health-status' }, s.status + (s.reason ? ': ' + s.reason : '')),
      h('dt', {}, 'Live streams'), h('dd', {}, String(s.activeStreams ?? '—')),
      h('dt', {}, 'Destinations sending'), h('dd', {}, String(s.activeRelays ?? '—')),
      h('dt', {}, 'Up for'), h('dd', {}, s.uptime === undefined ? '—' : duration(s.uptime)));
  }
  show(view,
    h('section', { class: 'card' },
      h('h2', {}, 'Server'),
      h('h3', {}, 'Health'), health,
      h('button', { type: 'button', id: 'health-refresh', onclick: () => load() }, 'Refresh')),
    h('section', { class: 'card' },
      h('h3', {}, 'Accounts'),
      h('div', { class: 'scroll' }, h('table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Email'), h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Created'))),
        users)),
      form('new-user', [
        field('new-user', 'email', 'Email', { type: 'email' }),
        field('new-user', 'password', 'Password (8 to 128 characters)', { type: 'password', autocomplete: 'new-password' }),
        field('new-user', 'role', 'Role', { options: [['user', 'Streamer'], ['admin', 'Admin']] }),
      ], 'Create account', async (values, formEl) => {
        await api('POST', '/users', values);
        formEl.reset();
        await load();
      }, { title: 'New account', fieldByStatus: { 409: 'email' } })));
  try {
    await load();
  } catch (e) {
    health.replaceChildren(h('dd', { class: 'error' }, e.message));
  }
}
