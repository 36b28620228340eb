import type { Options } from 'tsup';

/** Shared build: every package ships ESM + CJS + type declarations from src/index.ts. */
export const base: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
};
