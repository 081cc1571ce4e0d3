/**
 * Undo actions, registered as resources are created and run last-in first-out, each at most
 * once, even when a Ctrl-C and the normal end of the run both ask for them. A failing action is
 * reported and the others still run: one leftover must not hide the rest.
 */
export interface CleanupStack {
  defer(description: string, action: () => Promise<void>): void;
  run(): Promise<void>;
}

export function createCleanupStack(report: (line: string) => void): CleanupStack {
  const actions: Array<{ description: string; action: () => Promise<void> }> = [];
  let running: Promise<void> | undefined;

  async function runAll(): Promise<void> {
    for (let next = actions.pop(); next; next = actions.pop()) {
      report(`cleanup: ${next.description}`);
      try {
        await next.action();
      } catch (error) {
        report(`! cleanup could not ${next.description}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  return {
    defer(description, action) {
      actions.push({ description, action });
    },
    run() {
      running ??= runAll();
      return running;
    },
  };
}
