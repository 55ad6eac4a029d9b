// An API error as the person should read it: the problem's title and detail, and field errors listed by the field.
import type { ApiError } from '../api.js';

export function ProblemView({ error }: { error: ApiError | Error | null | undefined }) {
  if (!error) return null;
  const problem = 'problem' in error ? (error as ApiError).problem : undefined;
  const errors = problem?.errors ? Object.entries(problem.errors) : [];
  return (
    <div class="problem" role="alert">
      <strong>{problem ? `${problem.title}${problem.status ? ` (${problem.status})` : ''}` : 'Something went wrong'}</strong>
      {(problem?.detail ?? (!problem ? error.message : undefined)) && <p>{problem?.detail ?? error.message}</p>}
      {errors.length > 0 && (
        <ul>
          {errors.slice(0, 20).map(([path, messages]) => (
            <li key={path}>
              <code>{path}</code>: {messages.join(' ')}
            </li>
          ))}
          {errors.length > 20 && <li>and {errors.length - 20} more</li>}
        </ul>
      )}
    </div>
  );
}

/** The messages the server gave for one field (matched case-insensitively, as the API matches names). */
export function fieldMessages(error: ApiError | null | undefined, ...paths: string[]): string[] {
  const errors = error && 'problem' in error ? error.problem.errors : undefined;
  if (!errors) return [];
  const wanted = new Set(paths.map((path) => path.toLowerCase()));
  return Object.entries(errors)
    .filter(([path]) => wanted.has(path.toLowerCase()))
    .flatMap(([, messages]) => messages);
}
