/**
 * The SDK as the demo uses it: the public API of src/index.ts and the subpaths an app would
 * import (`ferryml/schema`, `ferryml/bundle`), nothing else, imported in one place so the page
 * reads exactly like an app that installed ferryml from npm.
 */
export * from '../../src/index.js';
export * from '../../src/entries/schema.js';
export * from '../../src/entries/bundle.js';
