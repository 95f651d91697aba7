// ferryml as a compared pipeline: loadModel + predict (validate + transform + schedule + infer +
// decode), exactly as an app calls it.
import { loadModel, type LoadModelOptions, type Model } from '../../src/index.js';
import type { Pipeline } from './pipeline.js';

/** A loaded ferryml model wrapped as a {@link Pipeline}, with the model itself for `info`. */
export async function loadFerry(options: LoadModelOptions): Promise<Pipeline & { model: Model }> {
  const model = await loadModel(options);
  return {
    model,
    predict: (row) => model.predict(row),
    async outputs(rows) {
      const { predictions, issues } = await model.predictBatch(rows);
      if (predictions.some((p) => p === null)) throw new Error(`ferryml rejected golden rows: ${issues.map((i) => i.message).join('; ')}`);
      return predictions.map((p) => Array.from(p!.raw));
    },
    dispose: () => void model.dispose(),
  };
}
