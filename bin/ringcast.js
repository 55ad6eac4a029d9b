#!/usr/bin/env node
// The `ringcast` command: builds dist/ first when the sources are newer (a fresh clone), then runs the CLI.
import { buildIfNeeded } from '../scripts/build-if-needed.mjs';

buildIfNeeded();
await import('../dist/cli/main.js');
