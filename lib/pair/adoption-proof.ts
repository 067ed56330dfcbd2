/**
 * What adoption must prove before it changes anything: that the roles a pair names are that pair's roles, as
 * AWS describes them, and not any other role the accounts hold (a deployer role, a role some other system uses).
 * Adoption detaches managed policies, deletes other inline policies and rewrites trust, so a wrong name would
 * damage a role amp-xa does not own. The proof is made at plan time, from the live roles and the identity each
 * provider runs as, so a failing proof fails the plan with nothing changed. Pure: HCL conditions and messages.
 */
import { SCRAPER_SERVICE_PRINCIPAL } from '../iam-documents';
import { hclString, literal } from '../terraform-expr';

export interface ProofInputs {
  readonly pairName: string;
  readonly accountId: string;
  readonly roleName: string;
  /** HCL expressions of the live role (data source) and of the identity the provider runs as. */
  readonly roleTrust: string;
  readonly roleArn: string;
  readonly callerArn: string;
}

export interface Proof {
  readonly condition: string;
  readonly errorMessage: string;
}

/** Principals of `kind` that Allow statements of a trust document name (a single value or a list, one statement or several). */
export function trustPrincipals(trustJson: string, kind: 'Service' | 'AWS'): string {
  return `flatten([for s in try(flatten([jsondecode(${trustJson}).Statement]), []) : try(flatten([s.Principal.${kind}]), []) if try(s.Effect, "") == "Allow"])`;
}

const nothingChanged = 'Nothing was changed: fix sourceRoleName/targetRoleName (or remove adopt) and deploy again.';

/** The Source role admits the AMP scraper service, as every scraper's source role must. */
export function sourceRoleProof(input: ProofInputs): Proof {
  return {
    condition: `contains(${trustPrincipals(input.roleTrust, 'Service')}, ${hclString(SCRAPER_SERVICE_PRINCIPAL)})`,
    errorMessage: literal(
      `amp-xa: pair ${input.pairName} adopts role ${input.roleName} (account ${input.accountId}) as its Source role, but its trust policy does not admit ${SCRAPER_SERVICE_PRINCIPAL}: it is not a scraper's source role. ${nothingChanged}`,
    ),
  };
}

/** The Target role admits the pair's Source role (IAM shows it as the role's ARN). */
export function targetRoleProof(input: ProofInputs, sourceRoleArn: string): Proof {
  return {
    condition: `contains(${trustPrincipals(input.roleTrust, 'AWS')}, ${sourceRoleArn})`,
    errorMessage: literal(
      `amp-xa: pair ${input.pairName} adopts role ${input.roleName} (account ${input.accountId}) as its Target role, but its trust policy does not admit the pair's Source role: it is not that pair's target role. ${nothingChanged}`,
    ),
  };
}

/** No adopted role is the identity the deploy itself runs as in that account. */
export function notDeployerProof(input: ProofInputs): Proof {
  return {
    condition: `!strcontains(${input.callerArn}, ${hclString(`:assumed-role/${input.roleName}/`)}) && ${input.callerArn} != ${input.roleArn}`,
    errorMessage: literal(
      `amp-xa: pair ${input.pairName} adopts role ${input.roleName} (account ${input.accountId}), which is the role this deploy runs as in that account: adoption would strip its policies. ${nothingChanged}`,
    ),
  };
}
