// `ferryml publish`: point a channel at a packed version, optionally rolled out to a fraction of clients.
import { numberOption, parse } from '../bundle/args.js';
import { SIGN_OPTIONS, SIGN_USAGE, signingFrom } from '../bundle/registry-sign.js';
import { editRegistry } from '../bundle/edit-command.js';
import { publish } from '../bundle/registry-edit.js';

/** `ferryml publish --help` text. */
export const usage = `Usage: ferryml publish <name> <version> [--channel C] [--rollout F] [--models DIR]

Points channel C (default: canary) at <version> after verifying its bundle (files,
name@version, and in a signed registry its signature). With --rollout F,
a stable fraction F (0..1) of clients that ask for "stable" get channel C instead (by a hash
of their client id, so each client stays put). --models DIR holds index.json (default: models).

${SIGN_USAGE}`;

/** Runs the command; resolves to the exit code (0 ok, 1 a problem found, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { channel: { type: 'string', default: 'canary' }, rollout: { type: 'string' }, models: { type: 'string', default: 'models' }, ...SIGN_OPTIONS },
    usage,
  );
  const [name, version] = positionals;
  if (!name || !version) {
    console.error(`ferryml publish: <name> and <version> are required\n\n${usage}`);
    return 2;
  }
  const rollout = numberOption(values.rollout, 'rollout');
  return editRegistry(values.models, name, (entry) => publish(entry, name, version, values.channel, rollout), signingFrom(values));
}
