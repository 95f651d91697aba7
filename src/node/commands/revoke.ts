// `ferryml revoke`: mark a version as never to be loaded again; channels on it roll back.
import { parse } from '../bundle/args.js';
import { SIGN_OPTIONS, SIGN_USAGE, signingFrom } from '../bundle/registry-sign.js';
import { editRegistry } from '../bundle/edit-command.js';
import { revoke } from '../bundle/registry-edit.js';

/** `ferryml revoke --help` text. */
export const usage = `Usage: ferryml revoke <name> <version> [--models DIR]

Adds <version> to the model's revoked list: browsers refuse it (VERSION_REVOKED) and delete
it from their cache the next time they see the registry; offline they skip it too once they
have seen the revocation. Channels on it roll back to the newest earlier version that is not
revoked (a channel on a release only to a release); a fallback that does not verify refuses the
revoke. The bundle files stay on disk.
--models DIR holds index.json (default: models).

${SIGN_USAGE}`;

/** Runs the command; resolves to the exit code (0 ok, 1 a problem found, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { models: { type: 'string', default: 'models' }, ...SIGN_OPTIONS }, usage);
  const [name, version] = positionals;
  if (!name || !version) {
    console.error(`ferryml revoke: <name> and <version> are required\n\n${usage}`);
    return 2;
  }
  return editRegistry(values.models, name, (entry) => revoke(entry, name, version), signingFrom(values));
}
