import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Built into dist/apps/dashboard, which the gateway serves at / (npm start builds it when missing or older than its sources).
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  resolve: {
    alias: {
      '@flightdeck/contracts': here('../../libs/contracts/src/index.ts'),
      '@flightdeck/client': here('../../libs/client/src/index.ts'),
    },
  },
  build: { outDir: here('../../dist/apps/dashboard'), emptyOutDir: true, sourcemap: true },
});
