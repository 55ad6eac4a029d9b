// Types of build-if-needed.mjs (a plain script, so that `npm start` runs before anything is compiled).
export function buildIfNeeded(): void;
export function buildWebAppIfNeeded(): void;
