/**
 * Stands in for ./worker-host.js in the `ferryml/edge` build: edge runtimes have no dedicated
 * Workers to start (an isolate is already the unit of concurrency), and the edge build ships no
 * worker script.
 */
import { FerryError } from '../errors.js';
import type { Engine } from './types.js';

export async function createWorkerEngine(): Promise<Engine> {
  throw new FerryError(
    'INVALID_OPTIONS',
    "worker: true is not available from ferryml/edge (edge runtimes run the model in the isolate): leave `worker` out, or import loadModel from 'ferryml' in a browser",
  );
}
