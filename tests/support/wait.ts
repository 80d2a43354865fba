// Bounded polling: every wait in the suite has a deadline, and none asserts on how long it took.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (await condition()) return true;
    await sleep(Math.min(intervalMs * (attempt + 1), 200));
  }
  return condition();
}
