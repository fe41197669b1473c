/**
 * The page's calls to the server that served it: model summary and graph files, and (server
 * mode only) `POST /v1/analyze`. A bearer token, when the server wants one, is kept for the tab.
 */
import { MIN_CONFIDENCE_PARAM, type AnalyzeResponse, type ModelInfo } from '../../src/serve/pure.js';
import type { Sidecar } from '../../src/runtime/pure.js';

const TOKEN_KEY = 'trustser.token';

/** A failed call: the HTTP status and the server's one-line message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const token = savedToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (e) {
    throw new ApiError(0, `cannot reach the server (${(e as Error).message}); open this page through trustser serve`);
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      // not a JSON error: keep the status line
    }
    throw new ApiError(res.status, `${path}: ${message}`);
  }
  return res;
}

export async function modelInfo(): Promise<ModelInfo> {
  return (await call('/v1/model')).json() as Promise<ModelInfo>;
}

export async function sidecar(info: ModelInfo): Promise<Sidecar> {
  return (await call(info.files.sidecar)).json() as Promise<Sidecar>;
}

export async function bytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await (await call(path)).arrayBuffer());
}

/**
 * Server mode: sends the audio bytes as a multipart file field; `minConfidence` (> 0) raises the
 * server's confidence threshold for this request.
 */
export async function analyzeOnServer(data: Uint8Array, type: string, name: string, minConfidence = 0): Promise<AnalyzeResponse> {
  const form = new FormData();
  form.append('file', new Blob([data.slice()], { type: type || 'application/octet-stream' }), name);
  const query = minConfidence > 0 ? `?${new URLSearchParams({ [MIN_CONFIDENCE_PARAM]: String(minConfidence) })}` : '';
  return (await call(`/v1/analyze${query}`, { method: 'POST', body: form })).json() as Promise<AnalyzeResponse>;
}
