#!/usr/bin/env bash
# Provider lock files for air-gapped runners. After `cdktf synth`, gives every stack in the output directory
# the project's committed lock file (.terraform.lock.hcl), so `terraform init` verifies the mirror's providers
# against checked-in hashes. With --update, first (re)computes that lock file from the filesystem mirror.
# Usage: scripts/lock-providers.sh [--update] [output-dir]      (PLATFORMS="linux_amd64 darwin_arm64" to add more)
set -euo pipefail
cd "$(dirname "$0")/.."
update=false
if [ "${1:-}" = "--update" ]; then update=true; shift; fi
outdir="${1:-${CDKTF_OUTDIR:-cdktf.out}}"
lock=".terraform.lock.hcl"
[ -d "$outdir/stacks" ] || { echo "lock-providers: no stacks in $outdir; run cdktf synth first" >&2; exit 1; }

if $update || [ ! -f "$lock" ]; then
  if [ -z "${AMP_XA_PROVIDER_MIRROR:-}" ]; then eval "$(scripts/offline-terraform.sh)"; fi
  platforms=()
  for p in ${PLATFORMS:-linux_amd64}; do platforms+=("-platform=$p"); done
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # One lock for all stacks: the union of their required providers (they share versions).
  node -e '
    const fs = require("fs");
    const providers = {};
    for (const file of process.argv.slice(1)) Object.assign(providers, JSON.parse(fs.readFileSync(file, "utf8")).terraform.required_providers);
    process.stdout.write(JSON.stringify({ terraform: { required_providers: providers } }));
  ' "$outdir"/stacks/*/cdk.tf.json > "$work/main.tf.json"
  if ! (cd "$work" && terraform providers lock -fs-mirror="$AMP_XA_PROVIDER_MIRROR" "${platforms[@]}" >"$work/lock.log" 2>&1); then
    cat "$work/lock.log" >&2
    echo "lock-providers: the mirror at $AMP_XA_PROVIDER_MIRROR lacks a provider these stacks need; without hashicorp/null, set \"finalizer\": { \"resource\": \"terraform_data\" }" >&2
    exit 1
  fi
  cp "$work/.terraform.lock.hcl" "$lock"
  echo "lock-providers: wrote $lock from $AMP_XA_PROVIDER_MIRROR"
fi

for dir in "$outdir"/stacks/*/; do
  cp "$lock" "$dir/.terraform.lock.hcl"
done
echo "lock-providers: $lock copied into $(ls -d "$outdir"/stacks/*/ | wc -l) stacks"
