// One stream: its name, the encoder settings, the live input and its destinations, kept up to
// date once a second while the view is open (GET /stats and the stream's destinations).
import { api } from './api.js';
import { h, field, form, show } from './dom.js';
import { encoderPanel } from './encoder.js';
import { livePanel } from './live.js';
import { destinationsSection } from './destinations.js';
import { sessionsSection } from './sessions.js';

const REFRESH_MS = 1000;
/** The history changes only when a broadcast starts or ends: read it every few refreshes. */
const SESSIONS_EVERY = 5;

export async function streamView(view, id, app) {
  let stream;
  let platforms;
  try {
    [stream, platforms] = await Promise.all([api('GET', '/streams/' + id), api('GET', '/platforms')]);
  } catch (e) {
    view.replaceChildren(h('p', { class: 'error' }, e.message), h('a', { href: '#/streams' }, 'Back to your streams'));
    return () => {};
  }
  const title = h('h2', { id: 'stream-title' }, stream.name);
  const rename = form('rename', [
    field('rename', 'name', 'Stream name', { value: stream.name }),
  ], 'Rename', async ({ name }) => {
    stream = await api('PUT', '/streams/' + id, { name });
    title.textContent = stream.name;
  }, { class: 'inline' });
  const remove = h('button', {
    type: 'button', id: 'delete-stream', class: 'danger', onclick: async () => {
      if (!confirm('Delete "' + stream.name + '" and all its destinations? A live publisher is disconnected.')) return;
      await api('DELETE', '/streams/' + id);
      app.go('#/streams');
    },
  }, 'Delete stream');
  const live = livePanel();
  const destinations = destinationsSection(id, platforms);
  const sessions = sessionsSection(id);
  show(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/streams' }, '← All streams')),
    h('section', { class: 'card' }, title, rename, remove),
    encoderPanel(stream),
    live.element,
    destinations.element,
    sessions.element);

  let stopped = false;
  let timer = null;
  let ticks = 0;
  async function refresh() {
    if (ticks++ % SESSIONS_EVERY === 0) sessions.refresh();
    try {
      const [stats, list] = await Promise.all([api('GET', '/stats'), api('GET', '/stream-destinations/stream/' + id)]);
      if (stopped) return;
      live.update(stats.streams.find((s) => s.id === String(id)) || null, list);
      destinations.update(list);
    } catch (e) {
      if (!stopped) live.problem(e.message);
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }
  destinations.onChange(() => { clearTimeout(timer); refresh(); });
  await refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
