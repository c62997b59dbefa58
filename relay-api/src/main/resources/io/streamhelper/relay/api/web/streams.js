// The list of the caller's streams, and a new one.
import { api } from './api.js';
import { h, field, form, show } from './dom.js';

export async function streamsView(view, app) {
  let streams;
  try {
    streams = await api('GET', '/streams');
  } catch (e) {
    view.replaceChildren(h('p', { class: 'error' }, e.message));
    return;
  }
  const list = streams.length
    ? h('ul', { class: 'streams' }, streams.map((s) => h('li', {},
        h('a', { href: '#/streams/' + s.id, dataset: { streamId: s.id } }, s.name),
        h('span', { class: 'badge ' + (s.isLive ? 'live' : 'offline') }, s.isLive ? 'live' : 'offline'))))
    : h('p', { class: 'empty' }, 'No stream yet: create one, then point your encoder at it.');
  show(view, h('section', { class: 'card' },
    h('h2', {}, 'Your streams'),
    list,
    form('new-stream', [
      field('new-stream', 'name', 'Name', { placeholder: 'Main show' }),
    ], 'Create stream', async ({ name }) => {
      const created = await api('POST', '/streams', { name });
      app.go('#/streams/' + created.id);
    }, { title: 'New stream', class: 'inline' })));
}
