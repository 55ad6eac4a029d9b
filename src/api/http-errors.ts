// One error handler and one not-found handler for the whole API: every failure leaves as problem+json, client
// mistakes get 4xx with a useful detail, and a 500 never carries internals (they go to the log with the traceId).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemBody, validationProblem } from './problem.js';
import { schemaErrorsToFieldErrors } from './validation-errors.js';
import { MalformedJsonError } from './jsonc.js';

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: HttpProblem): FastifyReply {
  if (problem.headers) reply.headers(problem.headers);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problemBody(problem, request.id));
}

/** Maps anything thrown in a request to a problem. Unknown errors are bugs: logged in full, answered as a bare 500. */
export function toProblem(error: FastifyError | Error, request: FastifyRequest): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof MalformedJsonError) return new HttpProblem(400, 'malformed-json', error.message);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return validationProblem(schemaErrorsToFieldErrors(fastifyError.validation, fastifyError.validationContext));
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpProblem(413, 'payload-too-large', fastifyError.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpProblem(415, 'unsupported-media-type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpProblem(400, 'malformed-json', 'The request body is empty.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new HttpProblem(414, 'uri-too-long', 'A path segment is too long.');
    case 'FST_ERR_BAD_URL':
      return new HttpProblem(400, 'validation', 'The URL is malformed (bad percent-encoding).');
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new HttpProblem(status, status === 404 ? 'not-found' : 'validation', fastifyError.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return new HttpProblem(500, 'internal', `See the server log for traceId ${request.id}.`);
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Fastify answers an unknown method on a known path with 404; the API promises 405 with an Allow header.
 * A second router mirrors every route's path so the not-found handler can tell the two apart.
 */
export function installErrorHandling(app: FastifyInstance): void {
  const paths = FindMyWay({ ignoreTrailingSlash: true });
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      try {
        paths.on(method as (typeof METHODS)[number], route.url, () => {});
      } catch {
        // The same method and path registered twice (e.g. HEAD companions): already known.
      }
    }
  });

  app.setErrorHandler((error, request, reply) => sendProblem(request, reply, toProblem(error as Error, request)));

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed: string[] = METHODS.filter((method) => paths.find(method, path) !== null);
    // Fastify answers HEAD wherever it answers GET, and Allow lists every method the resource supports (RFC 9110 10.2.1).
    if (allowed.includes('GET')) allowed.splice(1, 0, 'HEAD');
    // A route that exists for this method and still found nothing (a static file that is not there) is a 404.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return sendProblem(
        request,
        reply,
        new HttpProblem(405, 'method-not-allowed', `${request.method} is not allowed on ${path}.`, undefined, {
          allow: allowed.join(', '),
        }),
      );
    }
    return sendProblem(request, reply, new HttpProblem(404, 'not-found', `No route for ${request.method} ${path}.`));
  });
}
