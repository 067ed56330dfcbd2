#!/usr/bin/env bash
# Provider lock files for air-gapped runners. After `cdktf synth`, checks that the project's committed lock file
# (.terraform.lock.hcl) pins every provider the synthesized stacks require (each stack's
# terraform.required_providers, stacks from the manifest), then gives every stack a copy, so `terraform init`
# verifies the mirror's providers against checked-in hashes. With --update (or without a lock file), first checks
# that the filesystem mirror has every required provider and (re)computes the lock file from it.
# A provider the mirror or the lock file lacks stops the script, naming the provider and the stacks that need it.
# Usage: scripts/lock-providers.sh [--update] [output-dir]      (PLATFORMS="linux_amd64 darwin_arm64" to add more)
set -euo pipefail
for arg in "$@"; do
  case "$arg" in -h | --help)
    echo 'usage: scripts/lock-providers.sh [--update] [output-dir]
  After cdktf synth: checks that .terraform.lock.hcl pins every provider the synthesized stacks require, then
  copies it into every stack (output-dir: CDKTF_OUTDIR, else cdktf.out).
  --update  first (re)compute .terraform.lock.hcl from the filesystem mirror (scripts/offline-terraform.sh)
  PLATFORMS="linux_amd64 darwin_arm64" adds platforms to the lock file.'
    exit 0
    ;;
  esac
done
root="$(cd "$(dirname "$0")/.." && pwd)"
update=false
if [ "${1:-}" = "--update" ]; then update=true; shift; fi
outdir="$(cd "${1:-${CDKTF_OUTDIR:-cdktf.out}}" 2>/dev/null && pwd)" || outdir=""
lock="$root/.terraform.lock.hcl"
[ -n "$outdir" ] && [ -f "$outdir/manifest.json" ] || { echo "lock-providers: no synthesized app in ${1:-${CDKTF_OUTDIR:-cdktf.out}}; run cdktf synth first" >&2; exit 1; }

# Prints "<registry source> <version constraint> <stacks>" per provider the stacks require, or checks them
# against a mirror ("mirror DIR") or a lock file ("lock FILE"), naming what is missing.
providers() {
  node - "$outdir" "$@" <<'JS'
const fs = require('fs');
const path = require('path');
const [outdir, mode, where] = process.argv.slice(2);
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
const needed = new Map(); // source -> { version, stacks }
for (const stack of Object.values(manifest.stacks)) {
  const tf = JSON.parse(fs.readFileSync(path.join(outdir, stack.synthesizedStackPath), 'utf8')).terraform || {};
  for (const [name, p] of Object.entries(tf.required_providers || {})) {
    const parts = (p.source || name).split('/');
    const source = (parts.length === 3 ? parts : parts.length === 2 ? ['registry.terraform.io', ...parts] : ['registry.terraform.io', 'hashicorp', parts[0]]).join('/').toLowerCase();
    const entry = needed.get(source) || { version: p.version || '', stacks: [] };
    entry.stacks.push(stack.name);
    needed.set(source, entry);
  }
}
const exact = (v) => /^=?\s*(\d+\.\d+\.\d+)$/.exec(v || '')?.[1];
const problems = [];
for (const [source, { version, stacks }] of needed) {
  const who = `${source.replace(/^registry\.terraform\.io\//, '')}${version ? ` ${version}` : ''} (needed by ${stacks.join(', ')})`;
  if (mode === 'mirror') {
    const dir = path.join(where, source);
    const entries = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    const pinned = exact(version);
    if (!entries.length) problems.push(`the mirror ${where} has no ${who}`);
    else if (pinned && !entries.some((e) => e === pinned || e.includes(`_${pinned}_`))) problems.push(`the mirror ${where} has ${source} but not version ${pinned}, which ${stacks.join(', ')} need`);
  } else if (mode === 'lock') {
    const block = new RegExp(`provider "${source.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" \\{[^}]*?version\\s*=\\s*"([^"]+)"`).exec(fs.readFileSync(where, 'utf8'));
    const pinned = exact(version);
    if (!block) problems.push(`${path.basename(where)} does not pin ${who}`);
    else if (pinned && block[1] !== pinned) problems.push(`${path.basename(where)} pins ${source} ${block[1]}, but ${stacks.join(', ')} need ${pinned}`);
  } else {
    console.log(`${source} ${version || '-'} ${stacks.join(',')}`);
  }
}
if (problems.length) {
  for (const p of problems) console.error(`lock-providers: ${p}`);
  if ([...needed.keys()].some((s) => s.endsWith('/hashicorp/null'))) {
    console.error('lock-providers: hashicorp/null is needed only for "finalizer": { "resource": "null_resource" }; the default terraform_data needs no provider');
  }
  process.exit(1);
}
JS
}

if $update || [ ! -f "$lock" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  if [ -z "${AMP_XA_PROVIDER_MIRROR:-}" ]; then eval "$("$root/scripts/offline-terraform.sh" "$work/cli")"; fi
  providers mirror "$AMP_XA_PROVIDER_MIRROR"
  platforms=()
  for p in ${PLATFORMS:-linux_amd64}; do platforms+=("-platform=$p"); done
  # One lock for all stacks: the union of their required providers (they share versions).
  node -e '
    const fs = require("fs"), path = require("path");
    const outdir = process.argv[1];
    const providers = {};
    for (const s of Object.values(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks)) {
      Object.assign(providers, (JSON.parse(fs.readFileSync(path.join(outdir, s.synthesizedStackPath), "utf8")).terraform || {}).required_providers);
    }
    process.stdout.write(JSON.stringify({ terraform: { required_providers: providers } }));
  ' "$outdir" > "$work/main.tf.json"
  if ! (cd "$work" && terraform providers lock -fs-mirror="$AMP_XA_PROVIDER_MIRROR" "${platforms[@]}" >"$work/lock.log" 2>&1); then
    cat "$work/lock.log" >&2
    echo "lock-providers: terraform providers lock failed against the mirror at $AMP_XA_PROVIDER_MIRROR" >&2
    exit 1
  fi
  cp "$work/.terraform.lock.hcl" "$lock"
  echo "lock-providers: wrote $lock from $AMP_XA_PROVIDER_MIRROR"
fi

providers lock "$lock"
count=0
while IFS= read -r dir; do
  cp "$lock" "$outdir/$dir/.terraform.lock.hcl"
  count=$((count + 1))
done < <(node -e 'for (const s of Object.values(require(process.argv[1]).stacks)) console.log(s.workingDirectory)' "$outdir/manifest.json")
echo "lock-providers: $(providers | awk '{print $1 " " $2}' | sed 's#registry.terraform.io/##' | paste -sd, - | sed 's/,/, /g') pinned by $lock, copied into $count stacks"
