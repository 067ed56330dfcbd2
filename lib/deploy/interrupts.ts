/**
 * Counts a user's interrupts, not the signals they arrive as. At a terminal one Ctrl-C reaches the wrapper twice:
 * from the terminal (same process group) and again from npm, which forwards SIGINT/SIGTERM to its script. Counting
 * signals would take one Ctrl-C for two and turn "stop cleanly" into "stop now". Signals within `windowMs` of the
 * interrupt's first are the same interrupt.
 */
export class Interrupts {
  private last = -Infinity;
  private count = 0;
  private firstSignal: NodeJS.Signals | undefined;

  constructor(
    private readonly windowMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The signal of the first interrupt, if any. */
  get first(): NodeJS.Signals | undefined {
    return this.firstSignal;
  }

  /** Records a signal; returns the interrupt's number (1, 2, ...) when it is a new one, 0 when a copy. */
  record(signal: NodeJS.Signals): number {
    const at = this.now();
    // Measured from the interrupt, not from the last copy: a second Ctrl-C a second later still counts.
    if (at - this.last < this.windowMs) return 0;
    this.last = at;
    this.firstSignal ??= signal;
    return ++this.count;
  }
}
