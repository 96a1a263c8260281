/**
 * Ctrl-C and `kill` during a long command: instead of dying where it stands, the command is told, and
 * stops at its next safe point (for `convnet train`, after the batch in progress, saving first).
 */

/** The signals a command stops on, with the exit code a shell expects after each (128 + its number). */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

/** A signal a command stops on. */
export type StopSignal = keyof typeof STOP_SIGNALS;

/** Whether a stop was asked for; listening ends with {@link InterruptWatch.dispose}. */
export interface InterruptWatch {
  /** The first stop signal received, or `null`. */
  readonly signal: StopSignal | null;
  /** Stops listening, giving the signals their default effect again. */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM until disposed: the first is recorded for the command to act on; a second
 * one (Ctrl-C pressed again) stops the process at once, as if nobody listened. Node delivers a signal only
 * between turns of its event loop, so a command that computes synchronously must let a turn pass
 * ({@link nextTurn}) to see one.
 */
export function watchInterrupts(): InterruptWatch {
  let received: StopSignal | null = null;
  const dispose = (): void => {
    for (const { signal, handler } of handlers) process.off(signal, handler);
  };
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((signal) => {
    const handler = (): void => {
      if (received === null) {
        received = signal;
        return;
      }
      dispose();
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return { signal, handler };
  });
  return {
    get signal() {
      return received;
    },
    dispose,
  };
}

/** Resolves after the event loop has had a turn, so signals received meanwhile reach their listeners. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(resolve);
  });
}
