// Calls to Ringcast's own JSON API with the signed-in token. Every error answer is problem+json (RFC 9457); it becomes
// an ApiError whose `errors` (field path -> messages) the forms show beside the field they name.
export interface Problem {
  status: number;
  title: string;
  detail?: string;
  errors?: Record<string, string[]>;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

/** Called when the server says the token is not (or no longer) good: the app signs out. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

let token = '';
export function useToken(value: string): void {
  token = value;
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    return { status: response.status, title: body.title ?? response.statusText, ...(body.detail ? { detail: body.detail } : {}), ...(body.errors ? { errors: body.errors } : {}) };
  } catch {
    return { status: response.status, title: response.statusText || `HTTP ${response.status}`, ...(text ? { detail: text.slice(0, 500) } : {}) };
  }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Another token than the session's (the sign-in form tries one before keeping it). */
  token?: string;
}

/**
 * Sends a request with the session's (or the given) token; resolves to the response when it is 2xx, rejects with
 * ApiError carrying the problem otherwise. The JSON and the binary requests below share it.
 */
async function send(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? token}`, accept };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? (body ? 'POST' : 'GET'), headers, ...(body !== undefined ? { body } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError({ status: 0, title: 'Ringcast cannot be reached', detail: 'Check that the server is running and the network is up.' });
  }
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 401 && options.token === undefined) onUnauthorized();
    throw new ApiError(problem);
  }
  return response;
}

/** A request to the API; resolves to the parsed JSON body (undefined for 204), rejects with ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options, 'application/json');
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A request whose answer is a file (a CSV export, rendered speech): resolves to its bytes, rejects with ApiError. */
export async function apiBlob(path: string, options: RequestOptions & { accept?: string } = {}): Promise<Blob> {
  const response = await send(path, options, options.accept ?? '*/*');
  return response.blob();
}

/**
 * An upload with progress (fetch cannot report upload progress): multipart form data sent with XMLHttpRequest.
 * `onProgress` gets the fraction sent, 0..1.
 */
export function upload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.setRequestHeader('authorization', `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    // Every answer settles the promise, a 2xx whose body is not JSON included (JSON.parse threw inside onload and the
    // promise stayed pending): a form left waiting could never be sent again, its button disabled while it uploads.
    // Nothing aborts the request and it sets no timeout, so an error and a load are the only ways it ends.
    const failed = (detail: string) => reject(new ApiError({ status: 0, title: 'The upload failed', detail }));
    request.onerror = () => failed('The connection to Ringcast was lost.');
    request.onload = () => {
      if (request.status < 200 || request.status >= 300) {
        const response = new Response(request.responseText, { status: request.status, headers: { 'content-type': request.getResponseHeader('content-type') ?? '' } });
        void problemOf(response).then((problem) => reject(new ApiError(problem)));
        return;
      }
      try {
        resolve(JSON.parse(request.responseText) as T);
      } catch {
        failed(`Ringcast answered ${request.status} with a body that is not JSON.`);
      }
    };
    request.send(form);
  });
}

/**
 * Server-sent events read with fetch (EventSource cannot send the Authorization header). Calls `onEvent` for each
 * event until the stream ends or `signal` aborts; resolves when it ends.
 */
export async function readEvents(path: string, onEvent: (event: string, data: string) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal });
  if (!response.ok || !response.body) throw new ApiError(await problemOf(response));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffered += value;
    // Events end with a blank line (the SSE format); lines are field: value.
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0 || event !== 'message') onEvent(event, data.join('\n'));
    }
  }
}
