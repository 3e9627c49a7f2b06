// Talking to the admin API. The token lives in this tab's sessionStorage and
// leaves it only as the Authorization header of fetch(): never in a URL or a
// cookie, so other sites cannot make the browser send it (no CSRF).

const TOKEN_KEY = "tollgate-admin-token";

/** An error answer of the API: its status and its `error` text, verbatim. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Called when the API answers 401: the token is gone or wrong. */
let onUnauthorized = () => {};
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/** One path segment, percent-encoded (a CIDR's `/` becomes `%2F`). */
export const segment = encodeURIComponent;

/**
 * Calls the API; resolves with the JSON answer (undefined for `204`), rejects
 * with an ApiError carrying the API's `error` text. A `401` also signs out.
 */
export async function api(method, path, body) {
  const headers = { accept: "application/json" };
  const current = token();
  if (current) headers.authorization = `Bearer ${current}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
    redirect: "error",
  });
  const text = await response.text();
  let data;
  try {
    data = text === "" ? undefined : JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const message = typeof data?.error === "string"
      ? data.error
      : `${response.status} ${response.statusText}`;
    if (response.status === 401) {
      signOut();
      onUnauthorized(message);
    }
    throw new ApiError(response.status, message);
  }
  return data;
}

/** `?limit=&cursor=` for a paged listing. */
export function pageQuery(limit, cursor) {
  return `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
}
