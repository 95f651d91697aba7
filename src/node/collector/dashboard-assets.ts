/**
 * The dashboard's files read at run time: uPlot from node_modules/uplot (a dependency of ferryml)
 * and the page script (dashboard.ts). When one cannot be read, `GET /dashboard` answers a page
 * that names it and the fix, rather than headings over a script that answered 500.
 */
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { messageOf } from '../../errors.js';
import { dashboardScript } from './dashboard.js';
import { HttpError } from './http.js';

/** The paths the page loads uPlot from, and uPlot's file behind each. */
export const UPLOT_ASSETS: Readonly<Record<string, string>> = { '/assets/uPlot.esm.js': 'uPlot.esm.js', '/assets/uPlot.min.css': 'uPlot.min.css' };

const UNAVAILABLE = 'the dashboard cannot be served:';

function uplotFile(name: string): string {
  try {
    return join(createRequire(import.meta.url).resolve('uplot/package.json'), '..', 'dist', name);
  } catch {
    return join(process.cwd(), 'node_modules', 'uplot', 'dist', name);
  }
}

async function uplot<T>(name: string, use: (file: string) => Promise<T>): Promise<T> {
  const file = uplotFile(name);
  try {
    return await use(file);
  } catch (e) {
    throw new HttpError(
      500,
      `${UNAVAILABLE} uPlot's ${file} could not be read (${messageOf(e)}); uplot is a dependency of ferryml: reinstall ferryml (npm install ferryml), or add it: npm install uplot@1`,
    );
  }
}

/** One of uPlot's files (a name of {@link UPLOT_ASSETS}); a 500 naming the file and the fix when it cannot be read. */
export const readUplot = (name: string): Promise<Buffer> => uplot(name, (file) => readFile(file));

/** The page script; a 500 naming the cause and the fix when it cannot be read (or, from source, built). */
export async function readDashboardScript(): Promise<string> {
  try {
    return await dashboardScript();
  } catch (e) {
    throw new HttpError(
      500,
      `${UNAVAILABLE} its script could not be read (${messageOf(e)}); reinstall ferryml (npm install ferryml), or in a clone of the repository run npm run build`,
    );
  }
}

/** Why the dashboard cannot be served (each file it loads is checked), or undefined when it can. */
export async function dashboardProblem(): Promise<string | undefined> {
  try {
    await Promise.all([readDashboardScript(), ...Object.values(UPLOT_ASSETS).map((name) => uplot(name, (file) => access(file, constants.R_OK)))]);
    return undefined;
  } catch (e) {
    return messageOf(e);
  }
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** `GET /dashboard` when {@link dashboardProblem} found one: the problem in words (no script: the CSP allows none inline). */
export function problemPage(problem: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ferryml telemetry: dashboard unavailable</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/dashboard.css">
</head><body>
<header><h1>ferryml telemetry</h1></header>
<p id="status" role="alert">${escape(problem)}</p>
<p>The rest of the collector answers as usual: POST /v1/logs, the read API under /api/, /metrics.</p>
</body></html>`;
}
