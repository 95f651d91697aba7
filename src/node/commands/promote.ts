// `ferryml promote`: move a channel (default stable) onto another channel's version (default canary).
import { numberOption, parse } from '../bundle/args.js';
import { SIGN_OPTIONS, SIGN_USAGE, signingFrom } from '../bundle/registry-sign.js';
import { editRegistry } from '../bundle/edit-command.js';
import { promote } from '../bundle/registry-edit.js';

/** `ferryml promote --help` text. */
export const usage = `Usage: ferryml promote <name> [version] [--from C] [--to C] [--rollout F] [--models DIR]

Points channel --to (default: stable) at <version>, or at channel --from's version (default:
canary), after verifying its bundle (files, name@version, and in a signed registry its
signature). Promoting to stable removes --from's rollout fraction. --rollout F sets the fraction
of a non-stable --to channel. --models DIR holds index.json (default: models).

${SIGN_USAGE}`;

/** Runs the command; resolves to the exit code (0 ok, 1 a problem found, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      from: { type: 'string', default: 'canary' },
      to: { type: 'string', default: 'stable' },
      rollout: { type: 'string' },
      models: { type: 'string', default: 'models' },
      ...SIGN_OPTIONS,
    },
    usage,
  );
  const [name, version] = positionals;
  if (!name) {
    console.error(`ferryml promote: <name> is required\n\n${usage}`);
    return 2;
  }
  const rollout = numberOption(values.rollout, 'rollout');
  return editRegistry(values.models, name, (entry) => promote(entry, name, { version, from: values.from, to: values.to, rollout }), signingFrom(values));
}
