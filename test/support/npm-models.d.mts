// Types of ./npm-models.mjs (plain JavaScript, shared with the test server).
export declare const NSFWJS: Record<'mobilenet_v2' | 'mobilenet_v2_mid', { format: 'layers-model' | 'graph-model'; labels: string[] }>;
export declare function unwrapNsfwjs(name: keyof typeof NSFWJS): Map<string, Buffer>;
export declare function writeNsfwjs(name: keyof typeof NSFWJS, dir: string): string;
