// Validation results keyed by field path, e.g. {"PhoneNumbers[3].Number": ["... is not a valid phone number"]}.
// Pure rules produce these; the API turns them into ValidationProblemDetails.

export type FieldErrors = Record<string, string[]>;

/** Collects field errors while a validator walks a request, so every failing field is reported at once. */
export class FieldErrorCollector {
  readonly errors: FieldErrors = {};

  add(path: string, message: string): void {
    (this.errors[path] ??= []).push(message);
  }

  has(path: string): boolean {
    return path in this.errors;
  }

  /** True when `path` or anything below it (`path.x`, `path[0]`) already failed. */
  hasUnder(path: string): boolean {
    return Object.keys(this.errors).some(
      (key) => key === path || key.startsWith(`${path}.`) || key.startsWith(`${path}[`),
    );
  }

  get isEmpty(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}
