// Signing in, the first run (no account yet: create the admin), sign-up where the server allows
// it, and changing the password.
import { api, session } from './api.js';
import { h, field, form, show } from './dom.js';

async function signIn(email, password) {
  const { token } = await api('POST', '/auth/login', { email, password });
  session.set(token);
}

export async function authView(view, app, message) {
  let signup = { firstAccount: false, open: false };
  try {
    signup = await api('GET', '/auth/signup');
  } catch (e) {
    message = e.message;
  }
  const notice = message ? h('p', { class: 'notice', role: 'status' }, message) : null;
  if (signup.firstAccount) {
    show(view, h('section', { class: 'card narrow' },
      h('h2', {}, 'Welcome: create the admin account'),
      h('p', {}, 'This server has no account yet. The first one you create is its administrator;'
        + ' you can add accounts for others later.'),
      notice,
      form('setup', [
        field('setup', 'email', 'Email', { type: 'email', autocomplete: 'username' }),
        field('setup', 'password', 'Password (8 to 128 characters)', { type: 'password', autocomplete: 'new-password' }),
      ], 'Create admin account', async ({ email, password }) => {
        await api('POST', '/auth/register', { email, password });
        await signIn(email, password);
        app.signedIn();
      }, { fieldByStatus: { 409: 'email' } })));
    view.querySelector('#setup-email').focus();
    return;
  }
  const parts = [
    h('h2', {}, 'Sign in'),
    notice,
    form('signin', [
      field('signin', 'email', 'Email', { type: 'email', autocomplete: 'username' }),
      field('signin', 'password', 'Password', { type: 'password', autocomplete: 'current-password' }),
    ], 'Sign in', async ({ email, password }) => {
      await signIn(email, password);
      app.signedIn();
    }, { defaultField: 'password' }),
  ];
  if (signup.open) {
    parts.push(form('signup', [
      field('signup', 'email', 'Email', { type: 'email', autocomplete: 'username' }),
      field('signup', 'password', 'Password (8 to 128 characters)', { type: 'password', autocomplete: 'new-password' }),
    ], 'Create account', async ({ email, password }) => {
      await api('POST', '/auth/register', { email, password });
      await signIn(email, password);
      app.signedIn();
    }, { title: 'New here? Create an account', class: 'secondary', fieldByStatus: { 409: 'email' } }));
  }
  show(view, h('section', { class: 'card narrow' }, parts));
  view.querySelector('#signin-email').focus();
}

export function accountView(view, app) {
  show(view, h('section', { class: 'card narrow' },
    h('h2', {}, 'Your account'),
    form('password', [
      field('password', 'currentPassword', 'Current password', { type: 'password', autocomplete: 'current-password' }),
      field('password', 'newPassword', 'New password (8 to 128 characters)', { type: 'password', autocomplete: 'new-password' }),
    ], 'Change password', async ({ currentPassword, newPassword }) => {
      await api('POST', '/auth/password', { currentPassword, newPassword });
      // Every session of the account ends with the change, this one included.
      app.signedOut('Password changed. Sign in with the new one.');
    }, { title: 'Change password' })));
}
