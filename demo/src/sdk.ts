/**
 * The SDK as the demo uses it: the public API of src/index.ts and nothing else, imported in one
 * place so the page reads exactly like an app that installed ferryml from npm.
 */
export * from '../../src/index.js';
