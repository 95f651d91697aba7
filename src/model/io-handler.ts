/**
 * The tfjs seam: a plain `tf.io.IOHandler` (`{ load }`) that serves model.json and the weight
 * shards from a bundle's verified bytes, for `tf.loadLayersModel` and `tf.loadGraphModel` alike.
 * Built from `import type` only, so this module adds no tfjs code to the SDK core.
 */
import type { io } from '@tensorflow/tfjs-core';
import { FerryError } from '../errors.js';
import type { Manifest } from './manifest.js';

/** Parsed model.json plus the ordered shard paths it needs, checked against the manifest. */
export interface ModelEntry {
  json: io.ModelJSON;
  shardPaths: string[];
}

/** Joins a path relative to `entry`'s directory, as tfjs resolves weight paths relative to model.json. */
function siblingPath(entry: string, relative: string): string {
  const dir = entry.includes('/') ? entry.slice(0, entry.lastIndexOf('/') + 1) : '';
  const parts: string[] = [];
  for (const part of `${dir}${relative}`.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

/** Parses the model entry and checks every weight path it names is a verified bundle file; `MANIFEST_INVALID` otherwise. */
export function readModelEntry(manifest: Manifest, files: ReadonlyMap<string, Uint8Array>, where: string): ModelEntry {
  const entry = manifest.model.entry;
  let json: io.ModelJSON;
  try {
    json = JSON.parse(new TextDecoder().decode(files.get(entry))) as io.ModelJSON;
  } catch (cause) {
    throw new FerryError('MANIFEST_INVALID', `${where}${entry}: model entry is not JSON`, { cause, details: { url: `${where}${entry}` } });
  }
  const shape = json as { modelTopology?: unknown; weightsManifest?: unknown } | null; // parsed JSON: checked here
  if (typeof shape?.modelTopology !== 'object' || !Array.isArray(shape.weightsManifest)) {
    throw new FerryError('MANIFEST_INVALID', `${where}${entry}: not a tfjs model.json (needs modelTopology and weightsManifest)`, {
      details: { url: `${where}${entry}` },
    });
  }
  const shardPaths = json.weightsManifest.flatMap((group) => group.paths.map((p) => siblingPath(entry, p)));
  const missing = shardPaths.filter((p) => !files.has(p));
  if (missing.length) {
    throw new FerryError('MANIFEST_INVALID', `${where}: model.json needs weight files the manifest does not list: ${missing.join(', ')}`, {
      details: { url: where, missing },
    });
  }
  return { json, shardPaths };
}

/** An IOHandler whose `load()` returns the model's artifacts; weights are concatenated in weightsManifest order, as tfjs expects. */
export function createIOHandler(model: ModelEntry, files: ReadonlyMap<string, Uint8Array>): io.IOHandler {
  return {
    async load(): Promise<io.ModelArtifacts> {
      const { json, shardPaths } = model;
      const shards = shardPaths.map((p) => files.get(p)!);
      const weightData = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
      let offset = 0;
      for (const s of shards) {
        weightData.set(s, offset);
        offset += s.byteLength;
      }
      const artifacts: io.ModelArtifacts = {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: weightData.buffer,
      };
      // Same optional fields tf.io.getModelArtifactsForJSON copies (tfjs-core/src/io/io_utils.ts).
      const optional = [
        'format',
        'generatedBy',
        'convertedBy',
        'trainingConfig',
        'signature',
        'userDefinedMetadata',
        'modelInitializer',
        'initializerSignature',
      ] as const;
      for (const key of optional) if (json[key] != null) (artifacts as Record<string, unknown>)[key] = json[key];
      return artifacts;
    },
  };
}
