/**
 * The shell side of trust finalization: a POSIX sh script that `local-exec` runs with everything it
 * needs in environment variables (no quoting of JSON on a command line). Deliberately free of `${`
 * and `%{`, which Terraform would treat as template syntax.
 */
import type { AccountRef } from './config/fleet';
import { PINNED_ARN_QUERY } from './iam-documents';

export const FINALIZE_SCRIPT = [
  'set -e',
  'aws_cli="$AMP_XA_AWS_CLI"',
  'profile_args=""',
  'if [ -n "$AMP_XA_PROFILE" ]; then profile_args="--profile $AMP_XA_PROFILE"; fi',
  // Service-specific endpoint variables first, as the AWS SDKs do; older CLIs ignore AWS_ENDPOINT_URL.
  'iam_endpoint="$AWS_ENDPOINT_URL_IAM"; [ -n "$iam_endpoint" ] || iam_endpoint="$AWS_ENDPOINT_URL"',
  'sts_endpoint="$AWS_ENDPOINT_URL_STS"; [ -n "$sts_endpoint" ] || sts_endpoint="$AWS_ENDPOINT_URL"',
  'iam_args=""; [ -z "$iam_endpoint" ] || iam_args="--endpoint-url $iam_endpoint"',
  'sts_args=""; [ -z "$sts_endpoint" ] || sts_args="--endpoint-url $sts_endpoint"',
  'if [ -n "$AMP_XA_ASSUME_ROLE_ARN" ]; then',
  '  external_id_args=""; [ -z "$AMP_XA_EXTERNAL_ID" ] || external_id_args="--external-id $AMP_XA_EXTERNAL_ID"',
  '  creds=$("$aws_cli" $profile_args $sts_args --region "$AMP_XA_REGION" sts assume-role --role-arn "$AMP_XA_ASSUME_ROLE_ARN" --role-session-name "$AMP_XA_SESSION_NAME" $external_id_args --query "Credentials.[AccessKeyId,SecretAccessKey,SessionToken]" --output text)',
  '  AWS_ACCESS_KEY_ID=$(printf "%s" "$creds" | cut -f1)',
  '  AWS_SECRET_ACCESS_KEY=$(printf "%s" "$creds" | cut -f2)',
  '  AWS_SESSION_TOKEN=$(printf "%s" "$creds" | cut -f3)',
  '  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
  '  unset AWS_PROFILE',
  '  profile_args=""',
  'fi',
  'echo "amp-xa: finalizing trust of role $AMP_XA_ROLE_NAME in account $AMP_XA_ACCOUNT_ID"',
  '"$aws_cli" $profile_args $iam_args --region "$AMP_XA_REGION" iam update-assume-role-policy --role-name "$AMP_XA_ROLE_NAME" --policy-document "$AMP_XA_POLICY"',
  // IAM is eventually consistent: wait until the role reads back the pinned ARN before the postcondition looks.
  'tries=0',
  'while :; do',
  '  seen=$("$aws_cli" $profile_args $iam_args --region "$AMP_XA_REGION" iam get-role --role-name "$AMP_XA_ROLE_NAME" --query "$AMP_XA_EXPECT_QUERY" --output text)',
  '  [ "$seen" = "$AMP_XA_EXPECT_VALUE" ] && break',
  '  tries=$((tries + 1))',
  '  if [ "$tries" -ge "$AMP_XA_READBACK_TRIES" ]; then echo "amp-xa: role $AMP_XA_ROLE_NAME still reads $seen instead of $AMP_XA_EXPECT_VALUE" >&2; exit 1; fi',
  '  sleep "$AMP_XA_READBACK_DELAY"',
  'done',
].join('\n');

/** What local-exec runs: the script travels in the environment, so Terraform's log shows this one line. */
export const FINALIZE_COMMAND = 'eval "$AMP_XA_FINALIZE_SCRIPT"';

export interface FinalizeCommandInput {
  readonly account: AccountRef;
  readonly roleName: string;
  readonly policy: string;
  /** JMESPath into `iam get-role` output whose text must equal `expectValue` once IAM has the new policy. */
  readonly expectQuery: string;
  readonly expectValue: string;
  readonly awsCli: string;
}

export function finalizeEnvironment(input: FinalizeCommandInput): Record<string, string> {
  const c = input.account.credentials;
  return {
    AMP_XA_FINALIZE_SCRIPT: FINALIZE_SCRIPT,
    AMP_XA_AWS_CLI: input.awsCli,
    AMP_XA_ACCOUNT_ID: input.account.id,
    AMP_XA_REGION: input.account.region,
    AMP_XA_PROFILE: c.profile ?? '',
    AMP_XA_ASSUME_ROLE_ARN: c.assumeRoleArn ?? '',
    AMP_XA_EXTERNAL_ID: c.externalId ?? '',
    AMP_XA_SESSION_NAME: c.sessionName ?? 'amp-xa-finalize',
    AMP_XA_ROLE_NAME: input.roleName,
    AMP_XA_POLICY: input.policy,
    AMP_XA_EXPECT_QUERY: input.expectQuery,
    AMP_XA_EXPECT_VALUE: input.expectValue,
    AMP_XA_READBACK_TRIES: '15',
    AMP_XA_READBACK_DELAY: '2',
  };
}

/** @deprecated Use PINNED_ARN_QUERY from ./iam-documents, which owns the documents' shape. */
export const EXPECT_QUERY = PINNED_ARN_QUERY;
