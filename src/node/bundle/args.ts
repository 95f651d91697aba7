/** The bundle commands' names for the one CLI parser in ../args.ts (kept so their imports stay put). */
export { parseCommand as parse, numberOption } from '../args.js';
