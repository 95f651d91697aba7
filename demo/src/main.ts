/**
 * The demo page: two models through the SDK's public API, in worker mode so the page never runs
 * tfjs (no jank while drawing), with the panels that show what the SDK decided and why.
 */
import type { LoadModelOptions } from './sdk.js';
import { backendChoice, mountBackendPanel } from './backend-panel.js';
import { loadConfig } from './config.js';
import { mountDigits } from './digits.js';
import { createSlot } from './model-slot.js';
import { mountOfflineIndicator } from './offline-indicator.js';
import { mountPenguins } from './penguins.js';
import { mountTelemetryPanel } from './telemetry-panel.js';
import { mountVersionsPanel } from './versions-panel.js';

const config = await loadConfig();

/** Options every load shares; the backend choice is read at load time, so a switch applies to the next load. */
function options(): Omit<LoadModelOptions, 'name'> {
  const choice = backendChoice();
  return {
    registry: config.registry,
    wasmPaths: config.wasmPaths,
    worker: { url: config.workerUrl },
    ...(choice === 'auto' ? {} : { backend: choice }),
    ...(config.collector
      ? {
          telemetry: {
            endpoint: config.collector,
            serviceName: 'ferryml-demo',
            // Short windows so the panel and the dashboard show drift within a minute of use.
            windowMs: 15_000,
            driftMinRows: 5,
          },
        }
      : {}),
  };
}

const penguins = createSlot('penguins', options);
const digits = createSlot('digits', options);
const slots = [penguins, digits];

mountOfflineIndicator(slots);
mountPenguins(penguins);
mountDigits(digits);
const renderBackends = mountBackendPanel(slots, () => {
  for (const slot of slots) void slot.reload();
});
mountVersionsPanel(slots, config.registry);
const renderTelemetry = mountTelemetryPanel(slots, config);
// Counters change on their own (batches sent, windows closed): refresh the panels once a second.
setInterval(() => {
  renderBackends();
  renderTelemetry();
}, 1000);

await Promise.all(slots.map((s) => s.reload()));
