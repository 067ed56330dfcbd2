#!/usr/bin/env bash
# Plans every stack: see scripts/ci/plan-all.ts. Exit 0 = no changes, 2 = changes pending or an orphaned state, 1 = error.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec node -r "$root/scripts/register.js" "$root/scripts/ci/plan-all.ts" "$@"
