// Settings come from environment variables only. One TypeBox schema is the source for validation, defaults,
// the typed config and the README table, so a bad value stops the process with a message naming the variable.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const SettingsSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'HTTP port' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 for all)' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'Embedded PGlite data folder' }),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'postgres://user:pass@host:5432/db switches to PostgreSQL' }),
  ),
  ADMIN_TOKEN: Type.Optional(
    Type.String({ minLength: 16, description: 'Bearer token for the operator API (off when unset); 16+ characters' }),
  ),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info', description: 'pino log level' },
  ),
  DEMO_CLIENT: Type.Boolean({
    default: true,
    description: 'On first start with an empty database, create a demo client, call flow and CLI (set false in production)',
  }),
  BODY_LIMIT_MB: Type.Number({ exclusiveMinimum: 0, maximum: 1024, default: 64, description: 'Largest request body' }),
});

export type Settings = Static<typeof SettingsSchema>;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Reads the known variables from `env`, applies defaults and validates; throws SettingsError listing every bad one. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(SettingsSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Default(SettingsSchema, Value.Convert(SettingsSchema, raw));
  const problems = [...Value.Errors(SettingsSchema, converted)].map(
    (error) => `${error.path.slice(1)}=${JSON.stringify(raw[error.path.slice(1)])}: ${error.message}`,
  );
  if (problems.length > 0) throw new SettingsError(`Invalid settings:\n  ${problems.join('\n  ')}`);
  return converted as Settings;
}
