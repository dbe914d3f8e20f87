import { defineConfig } from 'vitest/config';

// `make web` builds into ../dist/web (uploaded by Terraform, served by `make local`).
// Reproducible: content-hashed file names, no timestamps, no source maps in the upload.
export default defineConfig({
  base: '/',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    assetsInlineLimit: 0,
  },
  server: { fs: { allow: ['..'] } },
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.ts'],
  },
});
