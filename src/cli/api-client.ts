// The HTTP side of `ringcast campaigns`: calls to a running server with the client's API key. An error answer
// becomes an ApiProblem carrying the server's problem document (RFC 9457, as src/api/problem.ts writes it), so the
// command can print it and exit 1; a server that cannot be reached becomes a ConnectionError that names the
// URL, rather than undici's bare "fetch failed".

/** A problem document as the API sends it; other error bodies (a proxy's HTML page) are wrapped into one. */
export interface ProblemDocument {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: Record<string, string[]>;
  traceId?: string;
}

export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly problem: ProblemDocument,
    /** The problem as JSON text: the answer's body as it came when it was JSON (printed when stdout is not a terminal). */
    readonly json: string,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

/** How much of a non-JSON error body is kept as the problem's detail. */
const MAX_FOREIGN_DETAIL_CHARS = 500;

export interface RequestOptions {
  query?: URLSearchParams | undefined;
  /** A body sent as it is, or produced as it is sent (an async iterable: a file streamed from disk). */
  body?: string | AsyncIterable<Uint8Array>;
  headers?: Record<string, string>;
}

export class ApiClient {
  constructor(
    private readonly baseUrl: URL,
    private readonly key: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The server's answer when it is a success (2xx); otherwise throws ApiProblem. The body is left unread. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl.href.endsWith('/') ? this.baseUrl : `${this.baseUrl.href}/`);
    if (options.query) url.search = options.query.toString();
    const streamed = options.body !== undefined && typeof options.body !== 'string';
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: { authorization: `Bearer ${this.key}`, accept: 'application/json', ...options.headers },
        // A stream is sent as it is produced (Node's fetch takes an async iterable and needs half duplex for it).
        body: options.body as BodyInit | undefined,
        ...(streamed ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      throw connectionError(this.baseUrl, error);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    const { problem, asSent } = problemOf(response, text);
    throw new ApiProblem(problem, asSent ? text.trim() : JSON.stringify(problem));
  }

  get origin(): URL {
    return this.baseUrl;
  }

  /** A success's body as text (JSON, printed verbatim in JSON mode) and parsed. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ text: string; value: T }> {
    const response = await this.send(method, path, options);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw connectionError(this.baseUrl, error);
    }
    return { text, value: JSON.parse(text) as T };
  }
}

/** The answer's problem document; `asSent` when the body was one (JSON), else one made from the status and text. */
function problemOf(response: Response, text: string): { problem: ProblemDocument; asSent: boolean } {
  const type = response.headers.get('content-type') ?? '';
  if (/json/i.test(type)) {
    try {
      const parsed = JSON.parse(text) as Partial<ProblemDocument>;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return { problem: { ...parsed, status: response.status }, asSent: true };
      }
    } catch {
      // Not JSON after all: reported as text below.
    }
  }
  const detail = text.trim().slice(0, MAX_FOREIGN_DETAIL_CHARS);
  return {
    problem: { status: response.status, title: response.statusText || `HTTP ${response.status}`, ...(detail ? { detail } : {}) },
    asSent: false,
  };
}

/** Socket errors that mean nothing is listening there (or the name does not resolve). */
const NOT_REACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * A failed transfer as a message naming the server and the socket's reason (ECONNREFUSED...), which undici keeps in
 * `cause` under a bare "fetch failed".
 */
export function connectionError(baseUrl: URL, error: unknown): ConnectionError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as NodeJS.ErrnoException).code;
  const reason = code ?? cause?.message ?? (error as Error).message;
  if (code !== undefined && NOT_REACHED.has(code)) {
    return new ConnectionError(`cannot reach the Ringcast server at ${baseUrl.origin} (${reason}); is it running? Set --url or RINGCAST_URL.`);
  }
  return new ConnectionError(`the connection to the Ringcast server at ${baseUrl.origin} failed (${reason})`);
}
