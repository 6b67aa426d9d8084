// The node's REST API, same origin, with the API token.
//
// When ttm.api-token is set, the node answers mutating requests without the
// right `Authorization: Bearer` header with 401. The page then asks for the
// token (token.js), keeps it for this tab in sessionStorage (gone when the
// tab closes, never written to disk by us), and repeats the request; a
// token the node rejects is forgotten and asked for again.

import { askToken } from './token.js';

const TOKEN_KEY = 'signalbox.api-token';

/** A request the node refused (status ≥ 400) or that never got an answer (status 0). */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The user closed the token dialog: the action was not sent. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.cancelled = true;
  }
}

const listeners = new Set();

/** Calls fn(hasToken) whenever the stored token changes. */
export function onTokenChange(fn) {
  listeners.add(fn);
  fn(hasToken());
}

export function hasToken() {
  return sessionStorage.getItem(TOKEN_KEY) !== null;
}

function setToken(token) {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
  for (const fn of listeners) fn(token !== null);
}

export function forgetToken() {
  setToken(null);
}

async function once(method, path, body, bearer) {
  const headers = {};
  const token = bearer !== undefined ? bearer : sessionStorage.getItem(TOKEN_KEY);
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'the node does not answer');
  }
}

async function parse(res) {
  if (res.status === 204) return null;
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const message = json && typeof json.error === 'string' ? json.error : `HTTP ${res.status}`;
    throw new ApiError(res.status, message);
  }
  return json === undefined ? text : json;
}

/**
 * GET a JSON resource. Reads need no API token; a 401 here is reported, not
 * asked for. `bearer` replaces the API token (the RTOC password, signals.js).
 */
export async function get(path, { bearer } = {}) {
  return parse(await once('GET', path, undefined, bearer));
}

/** GET a text resource (Prometheus metrics). */
export async function getText(path) {
  const res = await once('GET', path);
  if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`);
  return res.text();
}

/**
 * POST/PUT/DELETE with the token; on 401 asks for one (again, after a
 * rejected one) and repeats the request until it passes or the user cancels.
 */
export async function send(method, path, body) {
  for (;;) {
    const hadToken = hasToken();
    const res = await once(method, path, body);
    if (res.status !== 401) return parse(res);
    if (hadToken) forgetToken();
    const token = await askToken(hadToken);
    if (token === null) throw new Cancelled();
    setToken(token);
  }
}

/** A path segment for a key or name (keys may hold "/", spaces, ...). */
export const seg = encodeURIComponent;
