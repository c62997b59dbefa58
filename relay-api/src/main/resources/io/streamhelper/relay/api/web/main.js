// The app's frame: who is signed in, which view the address (#/...) names, the header's links.
import { api, session } from './api.js';
import { authView, accountView } from './auth.js';
import { streamsView } from './streams.js';
import { streamView } from './stream.js';
import { adminView } from './admin.js';

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const signout = document.getElementById('signout');
let me = null;
let leaveView = () => {};

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
    leaveView();
    leaveView = () => {};
    nav.hidden = true;
    signout.hidden = true;
    authView(view, app, message);
  },
};

async function route() {
  leaveView();
  leaveView = () => {};
  if (!session.token) {
    app.signedOut();
    return;
  }
  if (!me) {
    try {
      me = await api('GET', '/auth/me');
    } catch (e) {
      if (e.status !== 401) view.replaceChildren(e.message);
      return; // a 401 has already brought the sign-in form back
    }
  }
  nav.hidden = false;
  signout.hidden = false;
  document.getElementById('nav-admin').hidden = me.role !== 'admin';
  const hash = location.hash || '#/streams';
  const stream = /^#\/streams\/(\d+)$/.exec(hash);
  if (stream) leaveView = await streamView(view, Number(stream[1]), app);
  else if (hash === '#/account') accountView(view, app);
  else if (hash === '#/admin' && me.role === 'admin') adminView(view, app);
  else streamsView(view, app);
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
