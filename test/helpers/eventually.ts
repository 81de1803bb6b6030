/**
 * Reads until `done` holds, for effects that send no reply to wait for (a `p` push subscription is
 * stored without an answer; on a network database it can still be in flight when a later ping is
 * answered). Gives up with the last value read after `timeoutMs`.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
