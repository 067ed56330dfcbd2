#!/usr/bin/env bash
# `cdktf diff` takes one stack at a time: plan every stack of the fleet, in the manifest's order
# (workspace, scraper, trust), and fail if any plan fails. Run it in the cdktf project directory.
# Extra arguments go to each `cdktf diff` (offline: --skip-provider-lock). CDKTF overrides the cdktf command.
set -euo pipefail
cdktf=${CDKTF:-npx cdktf}
$cdktf synth >/dev/null
stacks=$(node -e 'process.stdout.write(Object.keys(require(process.argv[1]).stacks).join("\n"))' "$PWD/${CDKTF_OUTDIR:-cdktf.out}/manifest.json")
status=0
for stack in $stacks; do
  echo "::group::cdktf diff $stack" 2>/dev/null || true
  $cdktf diff "$stack" "$@" || { echo "diff-all: $stack failed to plan" >&2; status=1; }
  echo "::endgroup::"
done
exit $status
