// The benchmark items in the order they run (size first: its build must not overlap timings).
import type { BenchContext } from '../lib/context.js';
import type { ItemResult } from '../lib/item.js';
import { backendsItem } from './backends.js';
import { batchingItem } from './batching.js';
import { cacheItem } from './cache.js';
import { cnnItem } from './cnn.js';
import { overheadItem } from './overhead.js';
import { peerOrtItem } from './peer-ort.js';
import { preprocessItem } from './preprocess.js';
import { sizeItem } from './size.js';
import { telemetryItem } from './telemetry.js';
import { treesItem } from './trees.js';

/** One item: its key in latest.json, its title, and how to run it. */
export interface Item {
  key: string;
  title: string;
  run(ctx: BenchContext): Promise<ItemResult>;
}

/** Every item, in run order. */
export const ITEMS: Item[] = [
  { key: 'size', title: 'SDK core and ferryml/lite min+gzip bytes', run: sizeItem },
  { key: 'overhead', title: 'ferryml ÷ raw tfjs per call', run: overheadItem },
  { key: 'batching', title: '1,000 concurrent ferryml ÷ 1,000 sequential raw tfjs', run: batchingItem },
  { key: 'peer_ort', title: 'ONNX Runtime Web vs ferryml', run: peerOrtItem },
  { key: 'preprocess', title: 'ferryml transform ÷ scikit-learn', run: preprocessItem },
  { key: 'telemetry', title: 'telemetry on ÷ off throughput', run: telemetryItem },
  { key: 'cache', title: 'warm IndexedDB load ÷ cold network load', run: cacheItem },
  { key: 'backends', title: 'per-call latency per backend; automatic choice', run: backendsItem },
  { key: 'trees', title: 'tree ensembles vs ONNX Runtime Web and scikit-learn', run: treesItem },
  { key: 'cnn', title: 'image models (digits CNN, MobileNetV2) vs raw tfjs and ORT; image step vs tfjs ops', run: cnnItem },
];
