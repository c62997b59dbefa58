// "Connect your encoder": the server URL and the stream key as OBS asks for them, each with a
// copy button. The key stays in memory and is shown only while the streamer asks to see it.
// With RTMPS on there are two server URLs: RTMPS first (the key crosses the network encrypted),
// then plain RTMP for encoders without TLS; the first keeps the ids obs-server / copy-server.
import { api } from './api.js';
import { h, copy } from './dom.js';

const HIDDEN = '•••••••••••••••• (hidden)';

export function encoderPanel(stream) {
  let key = stream.key;
  let revealed = false;
  const urls = stream.ingestUrls || { rtmp: stream.ingestUrl };
  const schemes = ['rtmps', 'rtmp'].filter((scheme) => urls[scheme]);
  const labels = { rtmps: 'Server (RTMPS, encrypted)', rtmp: 'Server (RTMP, not encrypted)' };
  const keyText = h('code', { id: 'obs-key', class: 'secret' }, HIDDEN);
  const status = h('p', { class: 'hint', id: 'encoder-status', 'aria-live': 'polite' });
  const reveal = h('button', { type: 'button', id: 'reveal-key', 'aria-pressed': 'false', 'aria-controls': 'obs-key' }, 'Show key');
  const render = () => {
    keyText.textContent = revealed ? key : HIDDEN;
    reveal.textContent = revealed ? 'Hide key' : 'Show key';
    reveal.setAttribute('aria-pressed', String(revealed));
  };
  reveal.addEventListener('click', () => { revealed = !revealed; render(); });
  const copyButton = (id, label, text) => h('button', {
    type: 'button', id, onclick: async () => {
      status.textContent = (await copy(text())) ? label + ' copied.' : 'Copy failed: select the text and copy it yourself.';
    },
  }, 'Copy ' + label.toLowerCase());
  const rotate = h('button', {
    type: 'button', id: 'rotate-key', class: 'danger', onclick: async () => {
      if (!confirm('Make a new stream key? The old one stops working; an encoder live now goes on until it stops.')) return;
      try {
        key = (await api('POST', '/streams/' + stream.id + '/rotate-key')).key;
        revealed = false;
        render();
        status.textContent = 'New key made: put it in your encoder.';
      } catch (e) {
        status.textContent = e.message;
      }
    },
  }, 'Make a new key');
  return h('section', { class: 'card', 'aria-labelledby': 'encoder-title' },
    h('h3', { id: 'encoder-title' }, 'Connect your encoder'),
    h('p', { class: 'hint' }, 'In OBS: Settings → Stream → Service "Custom…", then these two values.'),
    h('dl', { class: 'pairs' },
      ...schemes.flatMap((scheme, i) => {
        const suffix = i === 0 ? '' : '-' + scheme;
        const label = schemes.length > 1 ? labels[scheme] : 'Server';
        return [h('dt', {}, label), h('dd', {},
          h('code', { id: 'obs-server' + suffix }, urls[scheme]),
          copyButton('copy-server' + suffix, schemes.length > 1 ? scheme.toUpperCase() + ' server' : 'Server', () => urls[scheme]))];
      }),
      h('dt', {}, 'Stream key'), h('dd', {}, keyText, reveal, copyButton('copy-key', 'Key', () => key), rotate)),
    status);
}
