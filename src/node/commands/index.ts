// Command registry: one line per command, lazily loaded. Each owner adds its own lines.
import { command } from '../cli.js';

// schema
command('fit', 'fit a preprocessing schema on training rows (sklearn 1.2 semantics)', () => import('./fit.js'));
command('transform', 'validate and transform rows with a schema, as the browser does', () => import('./transform.js'));
command('types', "write a .d.ts of a schema's input row", () => import('./types.js'));
// bundles and registry
command('pack', 'pack a tfjs model, schema and golden vectors into a verified (signed) bundle', () => import('./pack.js'));
command('verify', 'check a bundle or a models directory on disk (sizes, sha256, signature, registry)', () => import('./verify.js'));
command('keygen', 'create an ECDSA P-256 key pair for signing manifests', () => import('./keygen.js'));
command('publish', 'point a registry channel at a version, with an optional rollout fraction', () => import('./publish.js'));
command('promote', "move a channel (stable) onto another channel's version (canary)", () => import('./promote.js'));
command('revoke', 'revoke a version: never loaded again, channels roll back', () => import('./revoke.js'));
// runtime
command('predict', 'predict rows with a bundle on disk (wasm/cpu), as the browser would', () => import('./predict.js'));
// telemetry
command('collector', 'receive OTLP/HTTP JSON telemetry into SQLite; read API and dashboard', () => import('./collector.js'));
export {};
void command;
