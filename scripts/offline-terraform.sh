#!/usr/bin/env bash
# Writes a Terraform CLI config that installs providers only from the filesystem mirror on this machine
# and prints the environment to use it. Usage: eval "$(scripts/offline-terraform.sh [out-dir])"
# The config goes to out-dir/terraformrc, or to a new private temp directory (mktemp) when no out-dir is given.
# The mirror is found, not guessed: its root is the folder above registry.terraform.io that holds the
# AWS provider. AMP_XA_PROVIDER_MIRROR overrides the search.
# No plugin cache: from an unpacked mirror `terraform init` links each provider straight from the mirror,
# while a cache (cdktf sets TF_PLUGIN_CACHE_DIR unless told not to) would first copy it (hashicorp/aws: ~650 MB).
set -euo pipefail
for arg in "$@"; do
  case "$arg" in -h | --help)
    echo 'usage: eval "$(scripts/offline-terraform.sh [out-dir])"
  Finds the hashicorp/aws provider filesystem mirror on this machine (or AMP_XA_PROVIDER_MIRROR), writes a
  Terraform CLI config that installs providers only from it (out-dir/terraformrc, default a new temp directory),
  and prints the exports to use it: TF_CLI_CONFIG_FILE, AMP_XA_PROVIDER_MIRROR, CHECKPOINT_DISABLE,
  CDKTF_DISABLE_PLUGIN_CACHE_ENV.'
    exit 0
    ;;
  esac
done
mirror="${AMP_XA_PROVIDER_MIRROR:-}"
if [ -z "$mirror" ]; then
  binary=""
  for root in /opt /usr/local /usr/share /root /home /var /srv; do
    [ -d "$root" ] || continue
    binary=$(find "$root" -name 'terraform-provider-aws_v*' -path '*registry.terraform.io/hashicorp/aws/*' 2>/dev/null | head -n 1)
    [ -n "$binary" ] && break
  done
  if [ -z "$binary" ]; then
    binary=$(find / -xdev -name 'terraform-provider-aws_v*' -path '*registry.terraform.io/hashicorp/aws/*' 2>/dev/null | head -n 1)
  fi
  if [ -z "$binary" ]; then
    echo "offline-terraform: no hashicorp/aws provider mirror found; set AMP_XA_PROVIDER_MIRROR to the folder above registry.terraform.io" >&2
    exit 1
  fi
  mirror="${binary%%/registry.terraform.io/*}"
fi
if [ -n "${1:-}" ]; then
  out_dir="$1"
  mkdir -p "$out_dir"
else
  out_dir=$(mktemp -d "${TMPDIR:-/tmp}/amp-xa-terraform.XXXXXX")
fi
cat > "$out_dir/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
RC
echo "export TF_CLI_CONFIG_FILE='$out_dir/terraformrc'"
echo "export AMP_XA_PROVIDER_MIRROR='$mirror'"
echo "export CHECKPOINT_DISABLE=1"
echo "export CDKTF_DISABLE_PLUGIN_CACHE_ENV=true"
