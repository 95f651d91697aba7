// Typed doors into the repository's plain-JS scripts (scripts/*.mjs have no declarations and
// the tsconfig does not allowJs): the benchmark uses the same Chromium flags, static server and
// Chromium lookup as the tests and the demo.
import type { Server } from 'node:http';
// @ts-expect-error -- plain JS module without declarations
import * as chromiumMod from '../../scripts/chromium.mjs';
// @ts-expect-error -- plain JS module without declarations
import * as serveMod from '../../scripts/serve.mjs';
// @ts-expect-error -- plain JS module without declarations
import * as ensureMod from '../../scripts/ensure.mjs';

/** Chromium flags (WebGPU on SwiftShader unless `webgpu: false`). */
export const chromiumArgs = (chromiumMod as { chromiumArgs: (o?: { userDataDir?: string; webgpu?: boolean }) => string[] }).chromiumArgs;

/** The static server of scripts/serve.mjs. */
export const serveStatic = (
  serveMod as {
    serveStatic: (o: { port: number; host?: string; routes: Record<string, string>; isolate?: boolean }) => Promise<Server>;
  }
).serveStatic;

/** Path of Debian's Chromium (CHROME_PATH overrides), or undefined. */
export const findChromium = (ensureMod as { findChromium: () => string | undefined }).findChromium;
