// Types of build-if-needed.mjs (a plain script, so that `npm start` runs before anything is compiled).
export function buildIfNeeded(): void;
export function buildWebAppIfNeeded(): void;
export const WEB_APP_SOURCE_FOLDERS: readonly string[];
export function isBuildStale(builtMtimeMs: number | undefined, newestSourceMtimeMs: number): boolean;
export function newestMtimeMs(dir: string): number;
export function webAppBuildIsStale(packageRoot: string): boolean;
