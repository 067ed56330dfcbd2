#!/bin/sh
# amp-xa trust finalizer: pins one IAM role's trust policy to the scraper ARN, then waits until IAM reads
# it back. Terraform's local-exec runs it (`eval "$AMP_XA_FINALIZE_SCRIPT"`, see lib/finalize-command.ts);
# every input arrives in an environment variable, and every user-supplied value reaches the AWS CLI as
# exactly one argument: all expansions are quoted, argument lists are built with `set --`.
#
#   AMP_XA_AWS_CLI          AWS CLI executable (a name on PATH or a path)
#   AMP_XA_REGION           region for the CLI calls
#   AMP_XA_ACCOUNT_ID       account the role lives in (for messages)
#   AMP_XA_PROFILE          named profile, or empty for ambient credentials
#   AMP_XA_ASSUME_ROLE_ARN  role to assume first, or empty
#   AMP_XA_EXTERNAL_ID      external ID for that role, or empty
#   AMP_XA_SESSION_NAME     session name for that role
#   AMP_XA_ROLE_NAME        role whose trust policy is replaced
#   AMP_XA_POLICY           the final trust policy (JSON)
#   AMP_XA_EXPECT_QUERY     JMESPath into `iam get-role` output ...
#   AMP_XA_EXPECT_VALUE     ... whose text must equal this once IAM has the new policy
#   AMP_XA_READBACK_TRIES   read-backs before giving up
#   AMP_XA_READBACK_DELAY   seconds between read-backs
# Endpoints: AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL (older CLIs ignore these
# variables, so they are passed as --endpoint-url).
#
# Keep this file free of dollar-brace and percent-brace sequences: Terraform's JSON syntax treats them as
# template syntax (the text is escaped anyway, but then the synthesized JSON no longer shows it as written).

set -e

fail() {
  printf 'amp-xa: %s\n' "$1" >&2
  exit 1
}

for required in AMP_XA_AWS_CLI AMP_XA_REGION AMP_XA_ROLE_NAME AMP_XA_POLICY AMP_XA_EXPECT_QUERY AMP_XA_EXPECT_VALUE AMP_XA_READBACK_TRIES AMP_XA_READBACK_DELAY; do
  eval "value=\"\$$required\""
  [ -n "$value" ] || fail "$required is empty: the finalizer needs it"
done

# Service-specific endpoint variables first, as the AWS SDKs do.
iam_endpoint=$AWS_ENDPOINT_URL_IAM
[ -n "$iam_endpoint" ] || iam_endpoint=$AWS_ENDPOINT_URL
sts_endpoint=$AWS_ENDPOINT_URL_STS
[ -n "$sts_endpoint" ] || sts_endpoint=$AWS_ENDPOINT_URL
profile=$AMP_XA_PROFILE

# aws_cli ENDPOINT ARG...: the CLI with the profile (if any), the endpoint (if any) and the region.
aws_cli() {
  endpoint=$1
  shift
  set -- --region "$AMP_XA_REGION" "$@"
  if [ -n "$endpoint" ]; then set -- --endpoint-url "$endpoint" "$@"; fi
  if [ -n "$profile" ]; then set -- --profile "$profile" "$@"; fi
  "$AMP_XA_AWS_CLI" "$@"
}

if [ -n "$AMP_XA_ASSUME_ROLE_ARN" ]; then
  set -- sts assume-role --role-arn "$AMP_XA_ASSUME_ROLE_ARN" --role-session-name "$AMP_XA_SESSION_NAME"
  if [ -n "$AMP_XA_EXTERNAL_ID" ]; then set -- "$@" --external-id "$AMP_XA_EXTERNAL_ID"; fi
  creds=$(aws_cli "$sts_endpoint" "$@" --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text) ||
    fail "could not assume role $AMP_XA_ASSUME_ROLE_ARN (see the AWS CLI error above)"
  AWS_ACCESS_KEY_ID=$(printf '%s\n' "$creds" | cut -f1)
  AWS_SECRET_ACCESS_KEY=$(printf '%s\n' "$creds" | cut -f2)
  AWS_SESSION_TOKEN=$(printf '%s\n' "$creds" | cut -f3)
  if [ -z "$AWS_ACCESS_KEY_ID" ] || [ -z "$AWS_SECRET_ACCESS_KEY" ] || [ -z "$AWS_SESSION_TOKEN" ]; then
    fail "assuming role $AMP_XA_ASSUME_ROLE_ARN returned no credentials"
  fi
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
  # From here on, the role session's keys and nothing else.
  unset AWS_PROFILE
  profile=
fi

printf 'amp-xa: finalizing trust of role %s in account %s\n' "$AMP_XA_ROLE_NAME" "$AMP_XA_ACCOUNT_ID"
aws_cli "$iam_endpoint" iam update-assume-role-policy --role-name "$AMP_XA_ROLE_NAME" --policy-document "$AMP_XA_POLICY" ||
  fail "could not update the trust policy of role $AMP_XA_ROLE_NAME (see the AWS CLI error above)"

# IAM is eventually consistent: wait until the role reads back the pinned ARN before the postcondition looks.
tries=0
while :; do
  seen=$(aws_cli "$iam_endpoint" iam get-role --role-name "$AMP_XA_ROLE_NAME" --query "$AMP_XA_EXPECT_QUERY" --output text) ||
    fail "could not read role $AMP_XA_ROLE_NAME back (see the AWS CLI error above)"
  [ "$seen" = "$AMP_XA_EXPECT_VALUE" ] && break
  tries=$((tries + 1))
  [ "$tries" -lt "$AMP_XA_READBACK_TRIES" ] ||
    fail "role $AMP_XA_ROLE_NAME still reads $seen instead of $AMP_XA_EXPECT_VALUE"
  sleep "$AMP_XA_READBACK_DELAY"
done
