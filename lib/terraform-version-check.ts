/**
 * cdktf checks the Terraform version by running `terraform version` once per construct that needs it
 * (every `terraform_data` resource, every cloud backend): two processes per pair, seconds for a fleet.
 * The answer cannot change during one synth, so this runs each distinct check once and reuses the result.
 * Same validation, same messages; only the repetition goes.
 */
import { ValidateBinaryVersion } from 'cdktf/lib/validations/validate-binary-version';

const results = new Map<string, string[]>();
const original = ValidateBinaryVersion.prototype.validate;

if (!(original as { memoized?: boolean }).memoized) {
  const memoized = function (this: ValidateBinaryVersion): string[] {
    const self = this as unknown as { versionCommand: string; versionConstraint: string; hint?: string };
    const key = `${self.versionCommand}\u0000${self.versionConstraint}\u0000${self.hint ?? ''}`;
    let result = results.get(key);
    if (!result) {
      result = original.call(this);
      results.set(key, result);
    }
    return result;
  };
  memoized.memoized = true;
  ValidateBinaryVersion.prototype.validate = memoized;
}
