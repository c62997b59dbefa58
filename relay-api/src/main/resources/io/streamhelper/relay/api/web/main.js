// The app's frame: who is signed in, which view the address (#/...) names, the header's links.
import { api, session } from './api.js';
import { authView, accountView } from './auth.js';
import { streamsView } from './streams.js';
import { streamView } from './stream.js';
import { adminView } from './admin.js';
import { h } from './dom.js';

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const signout = document.getElementById('signout');
let me = null;
let leaveView = () => {};
/** Counts views: one that finishes loading after the streamer moved on is dropped, not shown. */
let shown = 0;

/** A fresh place for the next view; a slower, older view keeps drawing into its own, detached one. */
function nextView() {
  leaveView();
  leaveView = () => {};
  shown++;
  const place = h('div', { class: 'view' });
  view.replaceChildren(place);
  return { place, number: shown };
}

const app = {
  get me() { return me; },
  go(hash) {
    if (location.hash === hash) route(); else location.hash = hash;
  },
  signedIn() {
    me = null;
    app.go('#/streams');
  },
  signedOut(message) {
    session.clear();
    me = null;
    nav.hidden = true;
    signout.hidden = true;
    authView(nextView().place, app, message);
  },
};

async function route() {
  const { place, number } = nextView();
  if (!session.token) {
    app.signedOut();
    return;
  }
  if (!me) {
    try {
      me = await api('GET', '/auth/me');
    } catch (e) {
      if (e.status !== 401) place.replaceChildren(e.message);
      return; // a 401 has already brought the sign-in form back
    }
  }
  if (number !== shown) return;
  nav.hidden = false;
  signout.hidden = false;
  document.getElementById('nav-admin').hidden = me.role !== 'admin';
  const hash = location.hash || '#/streams';
  const stream = /^#\/streams\/(\d+)$/.exec(hash);
  if (stream) {
    const stop = await streamView(place, Number(stream[1]), app);
    if (number === shown) leaveView = stop; else stop();
  } else if (hash === '#/account') accountView(place, app);
  else if (hash === '#/admin' && me.role === 'admin') adminView(place, app);
  else streamsView(place, app);
}

session.onEnded((message) => app.signedOut(message));
signout.addEventListener('click', async () => {
  try {
    await api('POST', '/auth/logout');
  } finally {
    app.signedOut('You are signed out.');
  }
});
window.addEventListener('hashchange', route);
route();
