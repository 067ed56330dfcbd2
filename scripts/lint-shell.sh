#!/bin/sh
# ShellCheck on the repository's shell scripts (npm run lint:shell, part of npm test). The finalizer script, the
# deploy's Terraform shim and .ci/run at every severity; the helper scripts at warning and above.
set -eu
for arg in "$@"; do
  case "$arg" in -h | --help)
    echo 'usage: npm run lint:shell    (sh scripts/lint-shell.sh)
  ShellCheck on the shell scripts: lib/trust/*.sh, lib/recovery/*.sh, .ci/run and this script at every severity, scripts/*.sh and
  scripts/ci/*.sh at warning and above. AMP_XA_SKIP_SHELLCHECK=1 skips it (saying so) when shellcheck is missing.'
    exit 0
    ;;
  esac
done
if ! command -v shellcheck >/dev/null 2>&1; then
  if [ "${AMP_XA_SKIP_SHELLCHECK:-}" = 1 ]; then
    echo 'lint:shell: SKIPPED (AMP_XA_SKIP_SHELLCHECK=1): shellcheck is not installed, the shell scripts were NOT linted' >&2
    exit 0
  fi
  echo 'lint:shell: shellcheck is not installed. Install it: sudo apt-get install shellcheck (Debian/Ubuntu), brew install shellcheck (macOS), or see https://github.com/koalaman/shellcheck#installing. To run the other tests without it, set AMP_XA_SKIP_SHELLCHECK=1.' >&2
  exit 1
fi
shellcheck lib/trust/*.sh lib/recovery/*.sh .ci/run scripts/lint-shell.sh
shellcheck --severity=warning scripts/*.sh scripts/ci/*.sh
