// Numbers and times the way a streamer reads them.
export function bitrate(kbps) {
  if (!kbps) return '0 kbit/s';
  return kbps >= 1000 ? (kbps / 1000).toFixed(2) + ' Mbit/s' : Math.round(kbps) + ' kbit/s';
}

export function duration(seconds) {
  let s = Math.max(0, Math.floor(seconds || 0));
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (h) return h + 'h ' + m + 'm';
  if (m) return m + 'm ' + s + 's';
  return s + 's';
}

/** "14:03:12 (2m 5s ago)" for an ISO time, '' for none. */
export function since(iso) {
  const t = Date.parse(iso || '');
  if (isNaN(t)) return '';
  return new Date(t).toLocaleTimeString() + ' (' + duration((Date.now() - t) / 1000) + ' ago)';
}

export function date(iso) {
  const t = Date.parse(iso || '');
  return isNaN(t) ? '' : new Date(t).toLocaleString();
}
