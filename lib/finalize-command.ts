/**
 * The shell side of trust finalization. The script is a real POSIX sh file, lib/finalize-trust.sh
 * (linted by ShellCheck in `npm test`); `local-exec` runs it with everything it needs in environment
 * variables, so nothing user-supplied is ever parsed as shell code or split into words.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import type { AccountRef } from './config/fleet';
import { PINNED_ARN_QUERY } from './iam-documents';
import { literal } from './terraform-expr';

export const FINALIZE_SCRIPT_PATH = path.join(__dirname, 'finalize-trust.sh');

/** The script's text, read once per process (synth reads it for every finalizer). */
export const FINALIZE_SCRIPT = readFileSync(FINALIZE_SCRIPT_PATH, 'utf8');

/** What local-exec runs: the script travels in the environment, so Terraform's log shows this one line. */
export const FINALIZE_COMMAND = 'eval "$AMP_XA_FINALIZE_SCRIPT"';

export interface FinalizeCommandInput {
  readonly account: AccountRef;
  /** Literal text (escaped here for Terraform). */
  readonly roleName: string;
  /** A Terraform expression (e.g. `${jsonencode(local.doc)}`): passed as is, not escaped. */
  readonly policy: string;
  /** JMESPath into `iam get-role` output whose text must equal `expectValue` once IAM has the new policy. Literal text. */
  readonly expectQuery: string;
  /** A Terraform interpolation (the scraper ARN from phase 1): passed as is, not escaped. */
  readonly expectValue: string;
  /** Literal text (escaped here for Terraform). */
  readonly awsCli: string;
}

/**
 * The local-exec environment. Values land in Terraform JSON, where `${` and `%{` are template syntax: every
 * literal (the script, profile, CLI path, role name, external ID, session name, ...) is escaped with
 * `literal()` so the shell receives it byte for byte; `policy` and `expectValue` are expressions Terraform
 * must evaluate.
 */
export function finalizeEnvironment(input: FinalizeCommandInput): Record<string, string> {
  const c = input.account.credentials;
  return {
    AMP_XA_FINALIZE_SCRIPT: literal(FINALIZE_SCRIPT),
    AMP_XA_AWS_CLI: literal(input.awsCli),
    AMP_XA_ACCOUNT_ID: literal(input.account.id),
    AMP_XA_REGION: literal(input.account.region),
    AMP_XA_PROFILE: literal(c.profile ?? ''),
    AMP_XA_ASSUME_ROLE_ARN: literal(c.assumeRoleArn ?? ''),
    AMP_XA_EXTERNAL_ID: literal(c.externalId ?? ''),
    AMP_XA_SESSION_NAME: literal(c.sessionName ?? 'amp-xa-finalize'),
    AMP_XA_ROLE_NAME: literal(input.roleName),
    AMP_XA_POLICY: input.policy,
    AMP_XA_EXPECT_QUERY: literal(input.expectQuery),
    AMP_XA_EXPECT_VALUE: input.expectValue,
    AMP_XA_READBACK_TRIES: '15',
    AMP_XA_READBACK_DELAY: '2',
  };
}

/** @deprecated Use PINNED_ARN_QUERY from ./iam-documents, which owns the documents' shape. */
export const EXPECT_QUERY = PINNED_ARN_QUERY;
