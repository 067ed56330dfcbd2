/**
 * The built-in scrape configuration: what AWS's GetDefaultScraperConfiguration offers for EKS (API server,
 * kubelet and cAdvisor through the API server proxy, since the scraper runs in the VPC and not on the nodes;
 * pods and services that opt in with the usual prometheus.io annotations), plus a `cluster` external label
 * so that several clusters can share one workspace without series collisions.
 * A plain template: cluster names are [a-z0-9-], safe as YAML plain scalars, and synth need not load a YAML library.
 */

const TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

const nodeProxyJob = (jobName: string, metricsPath: string) => `
  - job_name: ${jobName}
    scheme: https
    authorization:
      credentials_file: ${TOKEN_FILE}
    kubernetes_sd_configs:
      - role: node
    relabel_configs:
      - action: labelmap
        regex: __meta_kubernetes_node_label_(.+)
      - target_label: __address__
        replacement: kubernetes.default.svc:443
      - source_labels: [__meta_kubernetes_node_name]
        regex: (.+)
        target_label: __metrics_path__
        replacement: /api/v1/nodes/$1/proxy${metricsPath}`;

const annotatedJob = (jobName: string, role: 'pod' | 'endpoints', kind: 'pod' | 'service') => `
  - job_name: ${jobName}
    kubernetes_sd_configs:
      - role: ${role}
    relabel_configs:
      - source_labels: [__meta_kubernetes_${kind}_annotation_prometheus_io_scrape]
        action: keep
        regex: "true"
      - source_labels: [__meta_kubernetes_${kind}_annotation_prometheus_io_path]
        action: replace
        regex: (.+)
        target_label: __metrics_path__
      - source_labels: [__address__, __meta_kubernetes_${kind}_annotation_prometheus_io_port]
        action: replace
        regex: ([^:]+)(?::\\d+)?;(\\d+)
        replacement: $1:$2
        target_label: __address__
      - source_labels: [__meta_kubernetes_namespace]
        action: replace
        target_label: namespace
      - source_labels: [__meta_kubernetes_${kind}_name]
        action: replace
        target_label: ${kind}`;

export function defaultScrapeConfiguration(clusterName: string): string {
  return `global:
  scrape_interval: 30s
  scrape_timeout: 10s
  external_labels:
    cluster: ${clusterName}
scrape_configs:
  - job_name: kubernetes-apiservers
    scheme: https
    bearer_token_file: ${TOKEN_FILE}
    kubernetes_sd_configs:
      - role: endpoints
    relabel_configs:
      - source_labels: [__meta_kubernetes_namespace, __meta_kubernetes_service_name, __meta_kubernetes_endpoint_port_name]
        action: keep
        regex: default;kubernetes;https${nodeProxyJob('kubernetes-kubelet', '/metrics')}${nodeProxyJob('kubernetes-cadvisor', '/metrics/cadvisor')}${annotatedJob('kubernetes-pods', 'pod', 'pod')}${annotatedJob('kubernetes-service-endpoints', 'endpoints', 'service')}
`;
}
