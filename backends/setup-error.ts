/** A usage or setup problem: the CLI prints its message on one line and exits 2. */
export class SetupError extends Error {
  override name = 'SetupError';
}
