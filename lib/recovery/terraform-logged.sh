#!/usr/bin/env bash
# Terraform as `npm run deploy|destroy` runs it (scripts/cdktf.ts points cdktf's TERRAFORM_BINARY_NAME here): an
# apply's or destroy's output also goes to $AMP_XA_TERRAFORM_LOG_DIR/<stack>.log, because after a Ctrl-C cdktf stops
# streaming it and the wrapper shows its end from there. Every other command is Terraform itself (exec).
# The copies ignore SIGINT and SIGTERM: a terminal's Ctrl-C reaches the whole process group, and a copy that died
# first would end Terraform's next write (SIGPIPE) while it is saving state. This script waits for them before it
# exits with Terraform's code: cdktf reads the end of the output once this process exits, so the last lines
# ("Apply complete!") must be through by then.
set -u
real="${AMP_XA_TERRAFORM:-terraform}"
dir="${AMP_XA_TERRAFORM_LOG_DIR:-}"
case "${1:-}" in
apply | destroy) ;;
*) exec "$real" "$@" ;;
esac
if [ -z "$dir" ] || [ ! -d "$dir" ]; then exec "$real" "$@"; fi
log="$dir/$(basename "$PWD").log"
exec 3> >(
  trap '' INT TERM
  exec tee -a "$log"
)
out=$!
exec 4> >(
  trap '' INT TERM
  exec tee -a "$log" >&2
)
err=$!
# Terraform handles SIGINT itself (it stops gracefully); this shell only waits for it.
trap : INT TERM
"$real" "$@" >&3 2>&4
code=$?
exec 3>&- 4>&-
for _ in $(seq 200); do
  kill -0 "$out" 2>/dev/null || kill -0 "$err" 2>/dev/null || break
  sleep 0.05
done
exit "$code"
