/**
 * Polls `probe` every 10 ms until it is true, or fails after `timeoutMs`: the short
 * form of `waitFor` for conditions on test doubles.
 */
export async function until(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
