// Command registry: one line per command, lazily loaded. Each owner adds its own lines.
import { command } from '../cli.js';

// schema
// bundles and registry
// runtime
// telemetry
export {};
void command;
