// Seeded layers for the conv graphs that the lean-conv (Chromium) and build_onnx (Node) tests build:
// random-normal weights and a BatchNormalization whose statistics are all non-trivial, so folding
// it into the conv is actually exercised.
import * as tfl from '@tensorflow/tfjs-layers';

/** Random-normal weights (σ 0.5) from `seed`. */
export const rnd = (seed: number) => tfl.initializers.randomNormal({ mean: 0, stddev: 0.5, seed });

/** A BatchNormalization with seeded gamma, beta, mean and a variance in [0.5, 2]. */
export const bn = (seed: number) =>
  tfl.layers.batchNormalization({
    gammaInitializer: rnd(seed),
    betaInitializer: rnd(seed + 1),
    movingMeanInitializer: rnd(seed + 2),
    movingVarianceInitializer: tfl.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: seed + 3 }),
  });
