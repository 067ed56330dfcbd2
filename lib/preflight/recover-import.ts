/**
 * The variable `npm run recover` sets to true for its `terraform import`s: a phase-1 stack's preflight then reads
 * nothing. An import creates nothing, and the CLI's import walk leaves the reads behind the stack's own state read
 * unknown, which Terraform refuses in a `for_each` (seen with S3 state in recovery-s3.e2e). Its own module: recover
 * needs the name without loading the provider's data sources.
 */
export const RECOVER_IMPORT_VARIABLE = 'amp_xa_recover_import';
