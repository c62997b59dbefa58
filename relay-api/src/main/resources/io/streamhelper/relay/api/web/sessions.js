// A stream's last broadcasts (GET /streams/{id}/sessions): when each ran, how it ended, and for
// each destination that had trouble, when it first failed and why. What a streamer looks at the
// morning after, when every destination is back to idle with no error; and during the show, where
// the broadcast on air lists its trouble so far with each such destination's state now.
import { api } from './api.js';
import { h } from './dom.js';
import { date, duration } from './format.js';

const SHOWN = 10;

const ENDINGS = {
  stopped: 'stopped by the encoder',
  lost: 'encoder connection lost',
  grace_expired: 'encoder did not come back in time',
  deleted: 'stream deleted',
  key_rotated: 'key rotated while reconnecting',
  no_destinations: 'last destination removed',
  shutdown: 'server stopped',
  interrupted: 'server did not stop cleanly',
};

/**
 * One line per destination that failed: its first failure (when, why) and how often it failed;
 * while the session is live, what it is doing now too (it may have recovered).
 */
function troubles(session) {
  const lines = [];
  for (const d of session.destinations) {
    const failures = d.transitions.filter((t) => t.state === 'retrying' || t.state === 'rejected' || t.state === 'incompatible');
    if (!failures.length) continue;
    const first = failures[0];
    const more = failures.length - 1 + (d.transitionsOmitted ? ' or more' : '');
    lines.push(h('li', { class: 'session-failure' },
      h('strong', {}, d.name || d.platform), ' (', d.host, '): ', first.state, ' at ',
      new Date(Date.parse(first.at)).toLocaleTimeString(), ', ', first.error || 'no reason given',
      failures.length > 1 ? ' (then ' + more + ' more)' : '',
      session.live && d.state ? '; now ' + d.state : ''));
  }
  return lines;
}

function row(session) {
  const started = Date.parse(session.startedAt);
  const ended = session.endedAt ? Date.parse(session.endedAt) : Date.now();
  const trouble = troubles(session);
  return h('tr', { dataset: { session: String(session.id) } },
    h('td', {}, date(session.startedAt)),
    h('td', {}, duration((ended - started) / 1000)),
    h('td', { class: 'session-end' }, session.live ? 'live now' : (ENDINGS[session.endReason] || session.endReason)),
    h('td', {}, trouble.length ? h('ul', { class: 'plain' }, trouble)
      : !session.destinations.length ? (session.live ? '' : 'no destinations')
        : session.live ? 'none so far' : 'no destination failed'));
}

export function sessionsSection(id) {
  const body = h('tbody');
  const empty = h('p', { class: 'hint' }, 'No broadcasts yet.');
  const problem = h('p', { class: 'error', 'aria-live': 'polite' });
  const table = h('table', { id: 'sessions' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Started'), h('th', {}, 'Lasted'), h('th', {}, 'Ended'),
      h('th', {}, 'Destinations that failed'))),
    body);
  const element = h('section', { class: 'card', id: 'sessions-section' },
    h('h3', {}, 'Recent broadcasts'), empty, h('div', { class: 'scroll' }, table), problem);
  table.hidden = true;

  async function refresh() {
    try {
      const page = await api('GET', '/streams/' + id + '/sessions?limit=' + SHOWN);
      body.replaceChildren(...page.sessions.map(row));
      table.hidden = page.sessions.length === 0;
      empty.hidden = page.sessions.length > 0;
      problem.textContent = '';
    } catch (e) {
      problem.textContent = e.message;
    }
  }
  return { element, refresh };
}
