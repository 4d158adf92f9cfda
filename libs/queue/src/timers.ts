const MAX_TIMER_MS = 2_147_483_647;

/** Timers that can all be cleared at once, with delays beyond setTimeout's 24.8-day limit. */
export class TimerSet {
  private readonly handles = new Set<NodeJS.Timeout>();

  after(delayMs: number, run: () => void): void {
    const step = Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      if (delayMs > step) this.after(delayMs - step, run);
      else run();
    }, step);
    this.handles.add(handle);
  }

  clear(): void {
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
  }
}

/** Resolves true when `work` settles within `timeoutMs`, false otherwise (work keeps going). */
export async function settlesWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
