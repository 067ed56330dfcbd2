/**
 * Pins one role's trust policy to the real scraper ARN, and proves it.
 *
 * - `live`: the role as IAM has it now, read at plan time.
 * - `finalizer` (null_resource or terraform_data): runs FINALIZE_SCRIPT. It re-runs when the scraper ARN or
 *   the document changes, and when the live policy drifted: the drift trigger is unknown at plan time (which
 *   forces a replacement) and resolves to "in-sync" at apply, so the run after a repair plans no change.
 * - `verified`: the role read back after the finalizer, with a postcondition that fails plan or apply
 *   when the live trust is not the final document.
 * Everything has count 0 while the scraper ARN is unknown (phase 1 not applied yet).
 */
import { Construct } from 'constructs';
import { DataResource, TerraformLocal, TerraformResource, type ITerraformDependable } from 'cdktf';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { AccountRef } from './config/fleet';
import { address, condition, countWhen, interpolation } from './terraform-expr';
import type { FinalizerConfig } from './config/schema';
import type { PolicyDocument } from './iam-documents';
import { FINALIZE_COMMAND, finalizeEnvironment } from './finalize-command';

export interface TrustFinalizerProps {
  readonly provider: AwsProvider;
  readonly account: AccountRef;
  readonly roleName: string;
  /** Final trust document; holds the scraper ARN as a Terraform reference. */
  readonly policy: PolicyDocument;
  readonly scraperArn: string;
  /** HCL expression (without `${}`) that is true once the scraper ARN is known. */
  readonly enabledExpression: string;
  readonly expectQuery: string;
  readonly finalizer: FinalizerConfig;
  readonly dependsOn?: ITerraformDependable[];
}

export class TrustFinalizer extends Construct {
  readonly live: DataAwsIamRole;
  readonly finalizer: TerraformResource;
  readonly verified: DataAwsIamRole;

  constructor(scope: Construct, id: string, props: TrustFinalizerProps) {
    super(scope, id);
    const count = countWhen(props.enabledExpression);
    // A local keeps the document as data; comparing through jsonencode/jsondecode normalizes its types.
    const document = new TerraformLocal(this, 'document', props.policy);
    const documentJson = `jsonencode(local.${document.friendlyUniqueId})`;
    const expected = `jsondecode(${documentJson})`;

    this.live = new DataAwsIamRole(this, 'live', { provider: props.provider, name: props.roleName, count });
    const inSync = `jsondecode(${address(this.live, 'data', 0)}.assume_role_policy) == ${expected}`;
    const triggers = {
      scraper_arn: props.scraperArn,
      role_name: props.roleName,
      policy_sha256: interpolation(`sha256(${documentJson})`),
      // Unknown during plan when drifted (forces a re-run), "in-sync" once applied: see the class comment.
      live_policy: interpolation(`${inSync} ? "in-sync" : (timestamp() != "" ? "in-sync" : "")`),
    };
    const provisioners = [
      {
        type: 'local-exec' as const,
        command: FINALIZE_COMMAND,
        interpreter: ['/bin/sh', '-c'],
        environment: finalizeEnvironment({
          account: props.account,
          roleName: props.roleName,
          policy: interpolation(documentJson),
          expectQuery: props.expectQuery,
          expectValue: props.scraperArn,
          awsCli: props.finalizer.awsCli,
        }),
      },
    ];
    const common = { count, provisioners, dependsOn: [this.live, ...(props.dependsOn ?? [])] };
    this.finalizer =
      props.finalizer.resource === 'terraform_data'
        ? new DataResource(this, 'finalizer', { ...common, triggersReplace: triggers })
        : new NullResource(this, 'finalizer', { ...common, triggers });

    this.verified = new DataAwsIamRole(this, 'verified', {
      provider: props.provider,
      name: props.roleName,
      count,
      dependsOn: [this.finalizer],
      lifecycle: {
        postcondition: [
          {
            condition: condition(`jsondecode(self.assume_role_policy) == ${expected}`),
            errorMessage: `amp-xa: the trust policy of role ${props.roleName} (account ${props.account.id}) is not the final document pinned to the scraper ARN. Someone changed it, or finalization failed: run cdktf deploy again to repair it.`,
          },
        ],
      },
    });
  }
}
