/**
 * The variable `npm run recover` sets to true for its `terraform import`s: a phase-1 stack's preflight then reads
 * nothing. An import creates nothing, and Terraform's import walk evaluates a counted data source that has no state
 * yet to an unknown value (terraform/internal/terraform/evaluate.go, walkImport), even with a count of zero, which
 * Terraform refuses in a `for_each`: so every preflight count and for_each is decided by this variable alone then.
 * Its own module: recover needs the name without loading the provider's data sources.
 */
export const RECOVER_IMPORT_VARIABLE = 'amp_xa_recover_import';
