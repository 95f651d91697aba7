/**
 * The switch of the row transform's numeric fast path, apart from the schema compiler
 * (./compile.ts): the `ferryml` and `ferryml/lite` entries turn it on at `loadModel` without
 * importing the compiler, which loads with the plain-JS path's chunk, not with the SDK core (issue 15).
 */
let offered = false;

/**
 * Turns on the row transform's fast path of numeric columns for schemas compiled from now on (the
 * `ferryml` and `ferryml/lite` entries do; `ferryml/edge` does not, to stay within its Worker size
 * budget). The transform's results are the same bits and issues either way.
 */
export function offerNumberFastPath(): void {
  offered = true;
}

/** Whether an entry turned the fast path on; read by `compileSchema` for each schema it compiles. */
export function numberFastPathOffered(): boolean {
  return offered;
}
