// Command registry: one line per command, lazily loaded. Each owner adds its own lines.
import { command } from '../cli.js';

// schema
// bundles and registry
// runtime
// telemetry
command('collector', 'receive OTLP/HTTP JSON telemetry into SQLite; read API and dashboard', () => import('./collector.js'));
export {};
void command;
