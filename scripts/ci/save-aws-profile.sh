#!/usr/bin/env bash
# CI helper: saves the credentials an OIDC step exported (AWS_ACCESS_KEY_ID...) as a named profile, then
# clears them for later steps, so each account's identity is reached only through its profile.
# Usage: scripts/ci/save-aws-profile.sh PROFILE
set -euo pipefail
for arg in "$@"; do
  case "$arg" in -h | --help)
    echo 'usage: scripts/ci/save-aws-profile.sh PROFILE
  Saves the credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, region)
  as the named AWS CLI profile, then hides them from later GitHub Actions steps (GITHUB_ENV).'
    exit 0
    ;;
  esac
done
profile="${1:?usage: save-aws-profile.sh PROFILE}"
: "${AWS_ACCESS_KEY_ID:?no credentials in the environment; run the OIDC step first}"
aws configure set aws_access_key_id "$AWS_ACCESS_KEY_ID" --profile "$profile"
aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY" --profile "$profile"
aws configure set aws_session_token "${AWS_SESSION_TOKEN:-}" --profile "$profile"
aws configure set region "${AWS_REGION:-${AWS_DEFAULT_REGION:-}}" --profile "$profile"
if [ -n "${GITHUB_ENV:-}" ]; then
  # Empty values hide the exported keys from later steps (SDKs ignore empty credentials).
  printf 'AWS_ACCESS_KEY_ID=\nAWS_SECRET_ACCESS_KEY=\nAWS_SESSION_TOKEN=\n' >> "$GITHUB_ENV"
fi
echo "saved AWS profile $profile"
