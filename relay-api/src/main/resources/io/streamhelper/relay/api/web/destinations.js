// A stream's destinations: add one from a platform preset (only the key needed) or a custom URL,
// edit it (the key is write-only: it can be replaced, never shown), switch it on and off, delete
// it, and see its live status. A key typed here is sent once and the field is emptied. The
// platforms and their default ingest URLs come from GET /platforms (the server's one list).
import { api } from './api.js';
import { h, field, form, filled } from './dom.js';
import { bitrate, since } from './format.js';

/** Each state in a streamer's words. */
const MEANING = {
  idle: 'not sending (the stream is offline or this destination is off)',
  connecting: 'connecting to the platform',
  live: 'sending',
  retrying: 'connection lost: trying again',
  rejected: 'the platform refused the stream (check the key); tried again in a few minutes',
  incompatible: 'not sent: the platform does not take this stream\'s codec (see the last error)',
  stopped: 'stopped',
};

function urlHint(preset) {
  return preset && preset.defaultUrl ? 'Leave empty for ' + preset.defaultUrl + ', or give a regional ingest.'
    : 'rtmp:// or rtmps:// host, port and application, without the key.';
}

function card(d, changed, platforms) {
  const prefix = 'dest-' + d.id;
  const name = h('h4', { class: 'dest-name' });
  const url = h('p', { class: 'hint dest-url' });
  const toggle = h('input', { type: 'checkbox', role: 'switch', id: prefix + '-enabled', class: 'dest-enabled' });
  const toggleError = h('p', { class: 'error', id: prefix + '-enabled-error', 'aria-live': 'polite' });
  toggle.addEventListener('change', async () => {
    toggleError.textContent = '';
    try {
      await api('PUT', '/stream-destinations/' + d.id, { enabled: toggle.checked });
      changed();
    } catch (e) {
      toggle.checked = !toggle.checked;
      toggleError.textContent = e.message;
    }
  });
  const state = h('span', { class: 'state dest-state' });
  const meaning = h('span', { class: 'dest-meaning' });
  const sinceText = h('dd', { class: 'dest-since' });
  const rate = h('dd', { class: 'dest-bitrate' });
  const reconnects = h('dd', { class: 'dest-reconnects' });
  const lastError = h('dd', { class: 'dest-error' });
  const edit = form(prefix + '-edit', [
    field(prefix + '-edit', 'displayName', 'Name'),
    field(prefix + '-edit', 'rtmpUrl', 'Server URL'),
    field(prefix + '-edit', 'streamKey', 'Replace key', { type: 'password', autocomplete: 'new-password',
      hint: 'The saved key is never shown. Leave empty to keep it.' }),
  ], 'Save', async (values, formEl) => {
    const change = filled(values);
    if (change.rtmpUrl === current.rtmpUrl) delete change.rtmpUrl;
    await api('PUT', '/stream-destinations/' + d.id, change);
    formEl.elements.streamKey.value = '';
    formEl.hidden = true;
    editButton.setAttribute('aria-expanded', 'false');
    editButton.focus();
    changed();
  }, { class: 'dest-edit-form', title: 'Edit destination' });
  edit.hidden = true;
  const editButton = h('button', { type: 'button', class: 'dest-edit', 'aria-expanded': 'false', 'aria-controls': edit.id,
    onclick: () => {
      edit.hidden = !edit.hidden;
      editButton.setAttribute('aria-expanded', String(!edit.hidden));
      if (!edit.hidden) {
        edit.elements.displayName.value = current.displayName;
        edit.elements.rtmpUrl.value = current.rtmpUrl;
        edit.elements.streamKey.value = '';
        edit.elements.displayName.focus();
      }
    } }, 'Edit');
  const remove = h('button', { type: 'button', class: 'dest-delete danger', onclick: async () => {
    if (!confirm('Delete the destination "' + current.displayName + '"? Its key is deleted with it.')) return;
    try {
      await api('DELETE', '/stream-destinations/' + d.id);
      changed();
    } catch (e) {
      toggleError.textContent = e.message;
    }
  } }, 'Delete');
  const element = h('article', { class: 'destination', dataset: { destinationId: d.id }, 'aria-labelledby': prefix + '-name' },
    h('div', { class: 'dest-head' }, name,
      h('div', { class: 'switch' }, toggle, h('label', { for: toggle.id }, 'On'))),
    url, toggleError,
    h('dl', { class: 'pairs status' },
      h('dt', {}, 'State'), h('dd', {}, state, ' ', meaning),
      h('dt', {}, 'Since'), sinceText,
      h('dt', {}, 'Bitrate'), rate,
      h('dt', {}, 'Reconnects'), reconnects,
      h('dt', {}, 'Last error'), lastError),
    h('div', { class: 'actions' }, editButton, remove),
    edit);
  name.id = prefix + '-name';
  let current = d;

  function update(next) {
    current = next;
    const label = next.displayName + ' · ' + (platforms.find((p) => p.name === next.platform)?.label || next.platform);
    name.textContent = label;
    url.textContent = next.rtmpUrl;
    toggle.checked = next.enabled;
    toggle.setAttribute('aria-label', 'Send to ' + next.displayName);
    const s = next.status;
    state.textContent = s.state;
    state.className = 'state dest-state ' + s.state;
    element.dataset.state = s.state;
    meaning.textContent = MEANING[s.state] || '';
    sinceText.textContent = since(s.since) || '—';
    rate.textContent = bitrate(s.bitrateKbps);
    reconnects.textContent = String(s.reconnects);
    lastError.textContent = s.lastError || 'none';
  }
  update(d);
  return { element, update };
}

/** platforms: the answer of GET /platforms, [{name, label, defaultUrl, urlRequired, rtmpsOnly}, ...]. */
export function destinationsSection(streamId, platforms) {
  let changed = () => {};
  const cards = new Map();
  const list = h('div', { id: 'destinations', class: 'destinations' });
  const empty = h('p', { class: 'empty' }, 'No destination yet: add the platforms this stream goes to.');
  const add = form('add-dest', [
    field('add-dest', 'platform', 'Platform', { options: platforms.map((p) => [p.name, p.label]) }),
    field('add-dest', 'streamKey', 'Stream key', { type: 'password', autocomplete: 'new-password',
      hint: 'From the platform\'s dashboard. Saved encrypted and never shown again.' }),
    field('add-dest', 'rtmpUrl', 'Server URL', { hint: urlHint(platforms[0]) }),
    field('add-dest', 'displayName', 'Name (optional)'),
  ], 'Add destination', async (values, formEl) => {
    const created = await api('POST', '/stream-destinations', { streamId, ...filled(values) });
    formEl.reset();
    updateHint();
    changed(created);
  }, { title: 'Add a destination' });
  const platform = add.elements.platform;
  const updateHint = () => {
    const preset = platforms.find((p) => p.name === platform.value);
    add.elements.rtmpUrl.placeholder = preset?.defaultUrl || 'rtmp://ingest.example.com/app';
    add.querySelector('#add-dest-rtmpUrl-hint').textContent = urlHint(preset);
  };
  platform.addEventListener('change', updateHint);
  updateHint();
  const element = h('section', { class: 'card', 'aria-labelledby': 'destinations-title' },
    h('h3', { id: 'destinations-title' }, 'Destinations'), empty, list, add);

  function update(destinations) {
    const seen = new Set();
    for (const d of destinations) {
      seen.add(d.id);
      const existing = cards.get(d.id);
      if (existing) {
        existing.update(d);
      } else {
        const made = card(d, () => changed(), platforms);
        cards.set(d.id, made);
        list.append(made.element);
      }
    }
    for (const [id, c] of cards) {
      if (!seen.has(id)) {
        c.element.remove();
        cards.delete(id);
      }
    }
    empty.hidden = destinations.length > 0;
  }

  return { element, update, onChange(callback) { changed = callback; } };
}
