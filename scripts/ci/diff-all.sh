#!/usr/bin/env bash
# Kept for existing pipelines: plans every stack with scripts/ci/plan-all.ts (concurrently, in dependency
# order; see that file). Run it in the cdktf project directory. Exit 0 = no changes, 2 = changes pending or an
# orphaned state, 1 = error. Options go to plan-all (--concurrency N, --skip-synth, --summary FILE, ...).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec node -r "$root/scripts/register.js" "$root/scripts/ci/plan-all.ts" "$@"
