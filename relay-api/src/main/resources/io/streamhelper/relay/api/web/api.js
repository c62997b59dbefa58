// The REST API as the page uses it. The bearer token lives in this tab's sessionStorage only:
// never in a cookie (so no request carries it unasked, and there is no CSRF to defend against),
// never in a URL. Closing the tab forgets it.
const TOKEN = 'relay.token';
let sessionEnded = () => {};

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field || null;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  set(token) { sessionStorage.setItem(TOKEN, token); },
  clear() { sessionStorage.removeItem(TOKEN); },
  /** Called when the server no longer accepts the token (expired, signed out elsewhere). */
  onEnded(callback) { sessionEnded = callback; },
};

/** One API call; resolves to the JSON body (null for 204), rejects with an ApiError. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = session.token;
  if (token) headers.Authorization = 'Bearer ' + token;
  let response;
  try {
    response = await fetch('/api/v1' + path, {
      method, headers, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'The server cannot be reached. Is the relay running?');
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new ApiError(response.status, data.error || 'request failed (' + response.status + ')', data.field);
    if (response.status === 401 && token && path !== '/auth/login') {
      session.clear();
      sessionEnded('Your session has ended: sign in again.');
    }
    throw error;
  }
  return data;
}
