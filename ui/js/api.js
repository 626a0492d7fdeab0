// Every call to /api goes through here: the session cookie rides along, the CSRF token is added to
// each change, and a 401 sends the user to sign-in and back to where they were.
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? "error";
    this.details = body?.error?.details ?? null;
  }

  // The message for one form field, when the API named it.
  forField(field) {
    const found = Array.isArray(this.details) ? this.details.find((detail) => detail.field === field) : null;
    return found?.message ?? null;
  }
}

export function rememberCsrf(token) {
  csrfToken = token;
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrfToken && (method !== "GET" || /^\/api\/quotes\/\d+$/.test(path))) headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (response.status === 401 && !path.startsWith("/api/auth/login")) {
    csrfToken = null;
    const next = encodeURIComponent(location.hash || "#/quotes");
    location.hash = `#/signin?next=${next}`;
  }
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

// The session, or null when signed out (asked without a 401, which a browser would log as an error).
export async function currentSession() {
  const answer = await api("GET", "/api/auth/session");
  if (answer.data) rememberCsrf(answer.data.csrf_token);
  return answer.data;
}
