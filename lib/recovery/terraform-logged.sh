#!/usr/bin/env bash
# Terraform as `npm run deploy|destroy` runs it (scripts/cdktf.ts points cdktf's TERRAFORM_BINARY_NAME here): an
# apply's or destroy's output also goes to $AMP_XA_TERRAFORM_LOG_DIR/<stack>.log, because after a Ctrl-C cdktf stops
# streaming it and the wrapper shows its end from there. Every other command is Terraform untouched (exec).
# The copies ignore SIGINT and SIGTERM: a terminal's Ctrl-C reaches the whole process group, and a copy that died
# first would end Terraform's next write (SIGPIPE) while it is saving state. Terraform stays this process (exec), so
# signals, its exit code and the /proc checks of who holds a lock see Terraform itself.
set -u
real="${AMP_XA_TERRAFORM:-terraform}"
dir="${AMP_XA_TERRAFORM_LOG_DIR:-}"
case "${1:-}" in
apply | destroy) ;;
*) exec "$real" "$@" ;;
esac
if [ -z "$dir" ] || [ ! -d "$dir" ]; then exec "$real" "$@"; fi
log="$dir/$(basename "$PWD").log"
exec > >(
  trap '' INT TERM
  exec tee -a "$log"
) 2> >(
  trap '' INT TERM
  exec tee -a "$log" >&2
)
exec "$real" "$@"
