// The one way the app talks to the platform: the public /v1 API, with the session cookie.
// Changing requests repeat the CSRF cookie in X-CSRF-Token; an expired access token is
// refreshed once (the refresh cookie rotates) and the request tried again.

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public details: unknown = null) {
    super(message);
  }
}

function cookie(name: string): string {
  const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

type Options = { method?: string; body?: unknown; text?: string; contentType?: string; signal?: AbortSignal; raw?: boolean };

async function send(path: string, opts: Options): Promise<Response> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = cookie("ementor_csrf");
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.text !== undefined) headers["Content-Type"] = opts.contentType ?? "text/plain"; // a file (CSV import)
  return fetch(path, {
    method, headers, credentials: "same-origin", signal: opts.signal,
    body: opts.text ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
}

let refreshing: Promise<boolean> | null = null;

export function refreshSession(): Promise<boolean> {
  refreshing ??= send("/v1/auth/refresh", { method: "POST", body: {} })
    .then((r) => r.ok).catch(() => false).finally(() => { refreshing = null; });
  return refreshing;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = await response.json();
    const e = body.error ?? {};
    return new ApiError(response.status, e.code ?? "http_" + response.status, e.message ?? response.statusText, e.details);
  } catch {
    return new ApiError(response.status, "http_" + response.status, response.statusText);
  }
}

export async function request<T = any>(path: string, opts: Options = {}): Promise<T> {
  let response: Response;
  try {
    response = await send(path, opts);
    if (response.status === 401 && !path.startsWith("/v1/auth/") && cookie("ementor_csrf")) {
      if (await refreshSession()) response = await send(path, opts);
    }
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "network", "The platform could not be reached.");
  }
  if (!response.ok) throw await errorOf(response);
  if (opts.raw) return response as unknown as T;
  if (response.status === 204 || response.status === 202 && response.headers.get("Content-Length") === "0") {
    return undefined as T;
  }
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T = any>(path: string, signal?: AbortSignal) => request<T>(path, { signal }),
  post: <T = any>(path: string, body: unknown = {}) => request<T>(path, { method: "POST", body }),
  patch: <T = any>(path: string, body: unknown) => request<T>(path, { method: "PATCH", body }),
  put: <T = any>(path: string, body: unknown) => request<T>(path, { method: "PUT", body }),
  del: <T = any>(path: string) => request<T>(path, { method: "DELETE" }),
  postText: <T = any>(path: string, text: string, contentType: string) =>
    request<T>(path, { method: "POST", text, contentType }),
};

export function signedInBefore(): boolean {
  return cookie("ementor_csrf") !== "";
}
