#!/bin/sh
# The npm scripts that run tools (package.json: "test": "sh scripts/task.sh test", ...), here so that each one
# answers -h/--help with its own usage and does nothing else: npm appends the caller's arguments to the script,
# so `npm test -- --help` would otherwise type-check and lint the whole tree before jest saw the flag.
# Usage: scripts/task.sh TASK [args...]     (TASK: typecheck test test:unit test:e2e lint format help)
set -eu
cd "$(dirname "$0")/.."
PATH="$PWD/node_modules/.bin:$PATH"
task="${1:-}"
case "$task" in -h | --help) task="" ;; *) [ $# -gt 0 ] && shift ;; esac

usage() {
  case "$task" in
    typecheck) echo 'usage: npm run typecheck [-- tsc options]
  Type-checks the project (tsc -p ., strict). Writes nothing.' ;;
    test) echo 'usage: npm test [-- jest options and test files]
  Type check, ESLint + Prettier --check, ShellCheck (npm run lint:shell), then the unit tests (jest).' ;;
    test:unit) echo 'usage: npm run test:unit [-- jest options and test files]
  The unit tests only (jest): synthesized JSON, IAM evaluation, hostile configs, plan-all, the scripts.' ;;
    test:e2e) echo 'usage: npm run test:e2e [-- jest options and test files]
  Real Terraform against moto + the AMP scraper emulator (jest --config jest.e2e.config.js). Needs terraform
  and moto_server on PATH, and a provider mirror or the registry.' ;;
    lint) echo 'usage: npm run lint
  ESLint on the project, then Prettier --check. Writes nothing.' ;;
    format) echo 'usage: npm run format
  Prettier --write on the project: rewrites files in place.' ;;
    help) echo 'usage: npm run help
  Prints the command summary (the file help).' ;;
    *) echo 'usage: scripts/task.sh TASK [args...]
  TASK: typecheck, test, test:unit, test:e2e, lint, format, help (the npm scripts of the same names)' ;;
  esac
}

for arg in "$@"; do
  case "$arg" in -h | --help)
    usage
    exit 0
    ;;
  esac
done

case "$task" in
  typecheck) exec tsc -p . "$@" ;;
  test)
    npm run typecheck
    npm run lint
    npm run lint:shell
    exec jest "$@"
    ;;
  test:unit) exec jest "$@" ;;
  test:e2e) exec jest --config jest.e2e.config.js "$@" ;;
  lint)
    eslint .
    exec prettier --check . "$@"
    ;;
  format) exec prettier --write . "$@" ;;
  help) exec cat help ;;
  *)
    usage >&2
    exit 2
    ;;
esac
