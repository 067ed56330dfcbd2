/**
 * Where each stack's plan is, for what runs beside the plans (the untracked check): it reads a stack's state once
 * the stack is initialized, not once every plan is done, so its AWS reads overlap the plans instead of following them.
 */
export interface StackGate {
  /** True once the stack is initialized (its state can be pulled); false when it will not be (init failed, not planned). */
  initialized(stack: string): Promise<boolean>;
  /** True once the stack's plan succeeded; false when it failed or the stack is not planned. */
  planned(stack: string): Promise<boolean>;
}

class Latch {
  value: boolean | undefined;
  private resolve!: (value: boolean) => void;
  readonly promise = new Promise<boolean>((r) => (this.resolve = r));
  set(value: boolean): void {
    if (this.value !== undefined) return;
    this.value = value;
    this.resolve(value);
  }
}

/** The gates of the stacks planned in one run; a stack not among them is never initialized nor planned. */
export class StackGates implements StackGate {
  private readonly init = new Map<string, Latch>();
  private readonly plan = new Map<string, Latch>();

  constructor(stacks: readonly string[]) {
    for (const stack of stacks) {
      this.init.set(stack, new Latch());
      this.plan.set(stack, new Latch());
    }
  }

  initialized(stack: string): Promise<boolean> {
    return this.init.get(stack)?.promise ?? Promise.resolve(false);
  }

  planned(stack: string): Promise<boolean> {
    return this.plan.get(stack)?.promise ?? Promise.resolve(false);
  }

  /** The stack's init is current (it ran, or its stamp says it need not). */
  markInitialized(stack: string): void {
    this.init.get(stack)?.set(true);
  }

  /** The stack's plan ended: a stack never initialized is not going to be. */
  markPlanned(stack: string, succeeded: boolean): void {
    this.init.get(stack)?.set(false);
    this.plan.get(stack)?.set(succeeded);
  }
}
