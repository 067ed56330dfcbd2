/**
 * The shell side of trust finalization. The script is a real POSIX sh file, lib/trust/finalize.sh (linted by
 * ShellCheck in `npm test`); `local-exec` runs it with everything it needs in environment variables, so nothing
 * user-supplied is ever parsed as shell code or split into words. It calls nothing but Terraform.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import type { AccountRef } from '../config/fleet';
import { literal } from '../terraform-expr';
import { PLAN_CHECK_EXPRESSION } from './plan-check';

export const FINALIZE_SCRIPT_PATH = path.join(__dirname, 'finalize.sh');

/** The script's text, read once per process. */
export const FINALIZE_SCRIPT = readFileSync(FINALIZE_SCRIPT_PATH, 'utf8');

/** What local-exec runs: the script travels in the environment, so Terraform's log shows this one line. */
export const FINALIZE_COMMAND = 'eval "$AMP_XA_FINALIZE_SCRIPT"';

/** Read-backs after the apply, and seconds between them (IAM is eventually consistent). */
export const READBACK = { tries: 15, delaySeconds: 2 } as const;

export interface FinalizeEnvironmentInput {
  readonly account: AccountRef;
  /** The root module (lib/trust/module.ts), as data: serialized and escaped here. */
  readonly module: Record<string, unknown>;
  /** A Terraform interpolation of the module's variables as JSON (e.g. `${jsonencode(local.vars)}`): passed as is. */
  readonly vars: string;
  /** A Terraform interpolation of the role names, space-separated, for messages: passed as is. */
  readonly roles: string;
}

/**
 * The local-exec environment. Values land in Terraform JSON, where `${` and `%{` are template syntax: the
 * script, the module (whose own literals are already escaped for the inner Terraform, so they are escaped twice
 * on purpose) and the plan check are escaped with `literal()`; `vars` and `roles` are expressions.
 */
export function finalizeEnvironment(input: FinalizeEnvironmentInput): Record<string, string> {
  return {
    AMP_XA_FINALIZE_SCRIPT: literal(FINALIZE_SCRIPT),
    AMP_XA_ACCOUNT: literal(`${input.account.name} (${input.account.id})`),
    AMP_XA_ROLES: input.roles,
    AMP_XA_MODULE: literal(JSON.stringify(input.module)),
    AMP_XA_VARS: input.vars,
    AMP_XA_PLAN_CHECK: literal(PLAN_CHECK_EXPRESSION),
    AMP_XA_READBACK_TRIES: String(READBACK.tries),
    AMP_XA_READBACK_DELAY: String(READBACK.delaySeconds),
  };
}
