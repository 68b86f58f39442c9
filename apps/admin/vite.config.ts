import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** API paths the dev server forwards to a running Airlock (`pnpm dev` in apps/server). */
const API_PREFIXES = ['/api', '/health', '/credentials', '/profiles', '/executions', '/execute'];
const target = process.env.AIRLOCK_DEV_API ?? 'http://127.0.0.1:9090';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    proxy: Object.fromEntries(
      [...API_PREFIXES, '/requirements', '/skill.md'].map((p) => [p, { target }]),
    ),
  },
});
