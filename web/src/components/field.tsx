// A labelled form field with the server's messages for it underneath (the problem's `errors`, matched by path).
import type { ComponentChildren } from 'preact';

export function Field({ id, label, messages, children, hint }: { id: string; label: string; messages: string[]; children: ComponentChildren; hint?: string }) {
  return (
    <div class={messages.length > 0 ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {children}
      {hint && <small class="hint">{hint}</small>}
      <FieldMessages id={id} messages={messages} />
    </div>
  );
}

/** The server's messages for one input, each an alert with an id (`<id>-error-<n>`) for aria-describedby. */
export function FieldMessages({ id, messages }: { id: string; messages: string[] }) {
  return (
    <>
      {messages.map((message, index) => (
        <small key={index} class="error" id={`${id}-error-${index}`} role="alert">
          {message}
        </small>
      ))}
    </>
  );
}

/** Messages whose path is `path` or lies under it (`RunoverDays[0].Date` under `RunoverDays[0]`), case-insensitively. */
export function messagesUnder(errors: Record<string, string[]> | undefined, path: string, exact = false): string[] {
  if (!errors) return [];
  const wanted = path.toLowerCase();
  return Object.entries(errors)
    .filter(([key]) => {
      const lower = key.toLowerCase();
      return lower === wanted || (!exact && (lower.startsWith(`${wanted}.`) || lower.startsWith(`${wanted}[`)));
    })
    .flatMap(([, messages]) => messages);
}
