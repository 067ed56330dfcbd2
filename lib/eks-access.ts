/**
 * What an EKS cluster in CONFIG_MAP authentication mode needs before the scraper can read it (with API or
 * API_AND_CONFIG_MAP, AMP creates an access entry itself): the `aps-collector-role` ClusterRole bound to the
 * user `aps-collector-user`, and an aws-auth entry mapping the scraper's service-linked role to that user.
 */
import type * as Yaml from 'yaml';

/** Loaded on use: only clusters in CONFIG_MAP mode need YAML output. */
const stringify = (value: unknown) => (require('yaml') as typeof Yaml).stringify(value);

export const COLLECTOR_USER = 'aps-collector-user';
export const COLLECTOR_CLUSTER_ROLE = 'aps-collector-role';

export function collectorClusterRole() {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: COLLECTOR_CLUSTER_ROLE },
    rules: [
      {
        apiGroups: [''],
        resources: ['nodes', 'nodes/proxy', 'nodes/metrics', 'services', 'endpoints', 'pods', 'ingresses', 'configmaps'],
        verbs: ['describe', 'get', 'list', 'watch'],
      },
      { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses/status', 'ingresses'], verbs: ['describe', 'get', 'list', 'watch'] },
      { apiGroups: ['metrics.eks.amazonaws.com'], resources: ['kcm/metrics', 'ksh/metrics'], verbs: ['get'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ],
  };
}

export function collectorClusterRoleBinding() {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${COLLECTOR_USER}-role-binding` },
    subjects: [{ kind: 'User', name: COLLECTOR_USER, apiGroup: 'rbac.authorization.k8s.io' }],
    roleRef: { kind: 'ClusterRole', name: COLLECTOR_CLUSTER_ROLE, apiGroup: 'rbac.authorization.k8s.io' },
  };
}

/** Both RBAC objects as one multi-document YAML, ready for `kubectl apply -f -`. */
export function collectorRbacManifest(): string {
  return [collectorClusterRole(), collectorClusterRoleBinding()].map((doc) => stringify(doc)).join('---\n');
}

/** The `mapRoles` entry for aws-auth. aws-auth does not accept role paths, so `roleArn` must be path-free. */
export function awsAuthMapRole(roleArn: string): string {
  return stringify([{ rolearn: roleArn, username: COLLECTOR_USER }]);
}

/**
 * Terraform `replace` regex (between the outer slashes) that drops an IAM role path:
 * ...:role/aws-service-role/x/Name -> ...:role/Name. No backslashes: HCL strings reject `\/`.
 */
export const ROLE_PATH_PATTERN = '/:role/.*//';

/** The role ARN aws-auth accepts: `arn:aws:iam::1:role/aws-service-role/x/Name` -> `arn:aws:iam::1:role/Name`. */
export function pathFreeRoleArn(roleArn: string): string {
  return roleArn.replace(/:role\/.*\//, ':role/');
}

/** Several aws-auth `mapRoles` entries as one YAML sequence (duplicates once). */
export function awsAuthMapRoles(roleArns: string[]): string {
  return stringify([...new Set(roleArns)].map((rolearn) => ({ rolearn, username: COLLECTOR_USER })));
}
