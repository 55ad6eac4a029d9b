// The dashboard's build (issue 11): Preact pages bundled by Vite into dist/web, which Fastify serves under /app.
// Modules of src/domain (enums, phone-number rules) are imported as they are: one source for the server and the page.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/app/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // libphonenumber's metadata (the same rules the server checks numbers with) is most of the bundle.
    chunkSizeWarningLimit: 1_000,
  },
  logLevel: 'warn',
});
