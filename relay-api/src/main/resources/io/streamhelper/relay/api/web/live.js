// The live input: is a publisher connected, what it sends, and what a streamer should change.
import { h } from './dom.js';
import { bitrate, duration } from './format.js';

/** Codecs each platform takes over RTMP; a custom server is not second-guessed. */
const VIDEO = { twitch: ['h264'], facebook: ['h264'], kick: ['h264'], youtube: ['h264', 'hevc', 'av1'] };
const AUDIO = { twitch: ['aac'], facebook: ['aac'], kick: ['aac'], youtube: ['aac'] };
const NAMES = { twitch: 'Twitch', youtube: 'YouTube', facebook: 'Facebook', kick: 'Kick' };
/** YouTube accepts up to 4 s; Twitch and Facebook ask for 2 s. */
const MAX_KEYFRAME_SECONDS = 4;

export function warnings(stream, destinations) {
  const found = [];
  const interval = stream.video && stream.video.keyframeIntervalSeconds;
  if (interval && interval > MAX_KEYFRAME_SECONDS) {
    found.push('Keyframes arrive every ' + interval + ' s. Twitch and Facebook ask for 2 s and YouTube for at most 4 s:'
      + ' set the keyframe interval to 2 s in your encoder (OBS: Settings → Output → Keyframe Interval).');
  }
  const enabled = destinations.filter((d) => d.enabled);
  const refusing = (table, codec) => [...new Set(enabled
    .filter((d) => table[d.platform] && codec && codec !== 'none' && !table[d.platform].includes(codec))
    .map((d) => NAMES[d.platform]))];
  const who = (names) => (names.length > 1 ? names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1] + ' do'
    : names[0] + ' does');
  const videoCodec = stream.video && stream.video.codec;
  const noVideo = refusing(VIDEO, videoCodec);
  if (noVideo.length) {
    found.push('Your encoder sends ' + videoCodec + ' video, which ' + who(noVideo)
      + ' not take: choose H.264 (x264, NVENC H.264) in your encoder.');
  }
  const audioCodec = stream.audio && stream.audio.codec;
  const noAudio = refusing(AUDIO, audioCodec);
  if (noAudio.length) {
    found.push('Your encoder sends ' + audioCodec + ' audio, which ' + who(noAudio) + ' not take: choose AAC.');
  }
  return found;
}

function videoText(v) {
  if (!v || v.codec === 'none') return 'no video';
  const size = v.width && v.height ? v.width + '×' + v.height : 'size not announced';
  const fps = v.fps ? v.fps.toFixed(1) + ' fps' : '';
  return [v.codec, size, fps].filter(Boolean).join(' · ');
}

export function livePanel() {
  const state = h('p', { id: 'live-publisher', class: 'lead' }, 'Waiting for the first update…');
  // Built once and updated in place, so a screen reader or a test holding a node keeps it.
  const video = h('dd', { id: 'live-video' });
  const audio = h('dd', { id: 'live-audio' });
  const keyframes = h('dd', { id: 'live-keyframes' });
  const incoming = h('dd', { id: 'live-bitrate' });
  const facts = h('dl', { class: 'pairs', id: 'live-facts', hidden: true },
    h('dt', {}, 'Video'), video, h('dt', {}, 'Audio'), audio,
    h('dt', {}, 'Keyframe interval'), keyframes, h('dt', {}, 'Incoming'), incoming);
  const list = h('ul', { id: 'live-warnings', class: 'warnings', 'aria-live': 'polite' });
  const element = h('section', { class: 'card', id: 'live-panel', 'aria-labelledby': 'live-title' },
    h('h3', { id: 'live-title' }, 'Live input'), state, facts, list);
  let shownWarnings = '';

  function showWarnings(found) {
    if (found.join('\n') === shownWarnings) return; // unchanged: not announced again
    shownWarnings = found.join('\n');
    list.replaceChildren(...found.map((w) => h('li', {}, w)));
  }

  function update(stream, destinations) {
    if (!stream) {
      state.textContent = 'No publisher connected. Start streaming in your encoder with the server and key above.';
      state.className = 'lead offline';
      facts.hidden = true;
      showWarnings([]);
      return;
    }
    const reconnecting = stream.state === 'reconnecting';
    state.textContent = reconnecting
      ? 'Publisher lost: waiting for your encoder to reconnect; destinations are kept.'
      : 'Publisher connected from ' + stream.publisher + ' for ' + duration(stream.uptimeSeconds) + '.';
    state.className = 'lead ' + (reconnecting ? 'warn' : 'live');
    const interval = stream.video && stream.video.keyframeIntervalSeconds;
    video.textContent = videoText(stream.video);
    audio.textContent = stream.audio ? stream.audio.codec : 'none';
    keyframes.textContent = interval ? interval + ' s' : 'not known yet';
    incoming.textContent = bitrate(stream.bitrateKbps);
    facts.hidden = false;
    showWarnings(warnings(stream, destinations));
  }

  function problem(message) {
    state.textContent = 'Could not update: ' + message;
    state.className = 'lead warn';
  }

  return { element, update, problem };
}
