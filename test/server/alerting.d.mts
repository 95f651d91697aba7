// Types of ./alerting.mjs for the TypeScript tests that import it.
export function freePort(): Promise<number>;
export function startAlertmanager(webhookUrl: string): Promise<{ url: string; output(): string; stop(): Promise<void> }>;
export function startPrometheus(target: string, token: string): Promise<{ url: string; promtool: string; output(): string; stop(): Promise<void> }>;
export function startReceiver(
  status?: (index: number) => number,
  delayMs?: number,
): Promise<{ url: string; bodies: Array<{ at: number; status: number; body: any }>; stop(): Promise<void> }>;
export function startCollectorProcess(args: string[], env?: Record<string, string>): Promise<{ url: string; output(): string; stop(): Promise<void> }>;
export const middleware: unknown[];
export const plugins: unknown[];
