#!/bin/sh
# amp-xa trust finalizer: pins the trust policies of a batch of roles (one account) to their scraper ARNs with
# nothing but the Terraform binary that runs this apply and the hashicorp/aws provider the stack installed.
# Terraform's local-exec runs it (`eval "$AMP_XA_FINALIZE_SCRIPT"`, see lib/trust/command.ts). It applies
# a small root module (lib/trust/module.ts) in a scratch directory: plan, check the plan (only imports and
# in-place trust updates of the expected roles), apply the saved plan, then read back until IAM has the
# documents. Every input arrives in an environment variable and is written to files, never parsed as shell.
#
#   AMP_XA_ACCOUNT          account the roles live in (name and ID, for messages)
#   AMP_XA_ROLES            the roles' names, space-separated (for messages)
#   AMP_XA_MODULE           the root module (Terraform JSON)
#   AMP_XA_VARS             its variables (JSON): policies, shared_config_files
#   AMP_XA_PLAN_CHECK       a Terraform expression over plan.json and vars.json: "ok" or what it refuses
#   AMP_XA_READBACK_TRIES   read-backs before giving up
#   AMP_XA_READBACK_DELAY   seconds between read-backs
#
# Keep this file free of dollar-brace and percent-brace sequences: Terraform's JSON syntax treats them as
# template syntax (the text is escaped anyway, but then the synthesized JSON no longer shows it as written).

set -e

fail() {
  printf 'amp-xa: trust of role(s) %s in account %s: %s\n' "$AMP_XA_ROLES" "$AMP_XA_ACCOUNT" "$1" >&2
  exit 1
}

for required in AMP_XA_ACCOUNT AMP_XA_ROLES AMP_XA_MODULE AMP_XA_VARS AMP_XA_PLAN_CHECK AMP_XA_READBACK_TRIES AMP_XA_READBACK_DELAY; do
  eval "value=\"\$$required\""
  [ -n "$value" ] || fail "$required is empty: the finalizer needs it"
done
# No call to HashiCorp's version checkpoint, from the first Terraform command on: the only network is AWS.
CHECKPOINT_DISABLE=1
export CHECKPOINT_DISABLE

# The Terraform that runs this apply: local-exec's shell is its child. Not necessarily on PATH (HCP Terraform
# promises nothing there), and the same binary keeps the stack's provider protocol and lock semantics.
terraform=
if [ -r "/proc/$PPID/exe" ]; then
  terraform=$(readlink "/proc/$PPID/exe" 2>/dev/null) || terraform=
fi
# Only if it is Terraform (or OpenTofu): a wrapper between Terraform and this shell would be its parent instead.
if [ -n "$terraform" ]; then
  case $("$terraform" version 2>/dev/null | head -n 1) in
    'Terraform v'* | 'OpenTofu v'*) ;;
    *) terraform= ;;
  esac
fi
if [ -z "$terraform" ]; then
  terraform=$(command -v terraform) || fail "cannot find the Terraform binary: not the parent process (/proc/$PPID/exe) and not on PATH"
fi

# The providers the stack installed (terraform init): a filesystem-mirror layout, so no download, air-gapped too.
data_dir=$TF_DATA_DIR
[ -n "$data_dir" ] || data_dir=.terraform
case $data_dir in
  /*) ;;
  *) data_dir=$(pwd)/$data_dir ;;
esac
plugin_dir=$data_dir/providers
[ -d "$plugin_dir/registry.terraform.io/hashicorp/aws" ] ||
  fail "no hashicorp/aws provider installed under $plugin_dir (run terraform init in the stack first)"

scratch=$(mktemp -d) || fail 'cannot create a scratch directory'
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' HUP INT TERM
module=$scratch/module
check=$scratch/check
log=$scratch/terraform.log
mkdir "$module" "$check"

# Nothing of the user's or HCP Terraform's Terraform settings may redirect this run: no workspace, data
# directory, extra CLI arguments, plugin cache, provider reattachment or CLI config (credentials, mirrors,
# network installation); no backend (the module has none: its state is local and thrown away); no checkpoint
# call. The AWS_* environment stays: the provider resolves credentials exactly as the stack's provider does.
unset TF_WORKSPACE TF_DATA_DIR TF_PLUGIN_CACHE_DIR TF_REATTACH_PROVIDERS TF_IGNORE TF_INPUT
unset TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_show TF_CLI_ARGS_console
printf 'disable_checkpoint = true\n' >"$scratch/terraformrc"
TF_CLI_CONFIG_FILE=$scratch/terraformrc
TF_IN_AUTOMATION=1
export TF_CLI_CONFIG_FILE TF_IN_AUTOMATION

printf '%s\n' "$AMP_XA_MODULE" >"$module/main.tf.json"
printf '%s\n' "$AMP_XA_VARS" >"$module/amp-xa.tfvars.json"
cp "$module/amp-xa.tfvars.json" "$check/vars.json"

# tf STEP ARG...: Terraform in the module directory, its output kept; a failure shows it and names the step.
tf() {
  step=$1
  shift
  if ! (cd "$module" && "$terraform" "$@") >"$log" 2>&1; then
    cat "$log" >&2
    fail "terraform $step failed (Terraform's error above)"
  fi
}

printf 'amp-xa: pinning trust of role(s) %s in account %s\n' "$AMP_XA_ROLES" "$AMP_XA_ACCOUNT"
tf init init -input=false -no-color -plugin-dir="$plugin_dir"
tf plan plan -input=false -no-color -lock=false -var-file=amp-xa.tfvars.json -out=trust.tfplan
(cd "$module" && "$terraform" show -no-color -json trust.tfplan) >"$check/plan.json" 2>"$log" || {
  cat "$log" >&2
  fail 'terraform show of the plan failed (Terraform error above)'
}

# Refuse before anything changes unless the plan only imports the roles and updates their trust in place.
verdict=$(cd "$check" && printf '%s\n' "$AMP_XA_PLAN_CHECK" | "$terraform" console 2>"$log") || {
  cat "$log" >&2
  fail "could not check the plan, nothing was changed (Terraform error above)"
}
if [ "$verdict" != '"ok"' ]; then
  sed -n '/Terraform will perform/,$p' "$log" >&2
  fail "refused, nothing was changed: the plan would change more than the trust policy: $verdict (a role whose name or path differs from what phase 1 deployed would be replaced: fix the role, or let phase 1 converge it)"
fi

tf apply apply -input=false -no-color -lock=false trust.tfplan

# IAM is eventually consistent: wait until a fresh plan reads every role back with the pinned document.
tries=0
while :; do
  status=0
  (cd "$module" && "$terraform" plan -input=false -no-color -lock=false -detailed-exitcode -var-file=amp-xa.tfvars.json) >"$log" 2>&1 || status=$?
  [ "$status" -eq 0 ] && break
  if [ "$status" -ne 2 ]; then
    cat "$log" >&2
    fail 'could not read the roles back (Terraform error above)'
  fi
  tries=$((tries + 1))
  if [ "$tries" -ge "$AMP_XA_READBACK_TRIES" ]; then
    sed -n '/Terraform will perform/,$p' "$log" >&2
    fail "IAM still does not read back the pinned documents after $tries tries"
  fi
  sleep "$AMP_XA_READBACK_DELAY"
done
printf 'amp-xa: pinned trust of role(s) %s in account %s\n' "$AMP_XA_ROLES" "$AMP_XA_ACCOUNT"
