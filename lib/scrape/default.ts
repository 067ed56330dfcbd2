/**
 * The built-in scrape configuration: what AWS's GetDefaultScraperConfiguration offers for EKS
 * (API server, kubelet and cAdvisor through the API server proxy, annotated pods and services), plus a
 * `cluster` external label so that several clusters can share one workspace without series collisions.
 */
import { stringify } from 'yaml';

const TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Nodes are reached through the API server proxy: the scraper runs in the VPC, not on the nodes. */
function nodeProxyJob(jobName: string, metricsPath: string) {
  return {
    job_name: jobName,
    scheme: 'https',
    authorization: { credentials_file: TOKEN_FILE },
    kubernetes_sd_configs: [{ role: 'node' }],
    relabel_configs: [
      { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
      { target_label: '__address__', replacement: 'kubernetes.default.svc:443' },
      { source_labels: ['__meta_kubernetes_node_name'], regex: '(.+)', target_label: '__metrics_path__', replacement: `/api/v1/nodes/$1/proxy${metricsPath}` },
    ],
  };
}

/** Opt-in scraping by the usual `prometheus.io/*` annotations, for pods or service endpoints. */
function annotatedJob(jobName: string, role: 'pod' | 'endpoints', kind: 'pod' | 'service') {
  const annotation = (name: string) => `__meta_kubernetes_${kind}_annotation_prometheus_io_${name}`;
  return {
    job_name: jobName,
    kubernetes_sd_configs: [{ role }],
    relabel_configs: [
      { source_labels: [annotation('scrape')], action: 'keep', regex: 'true' },
      { source_labels: [annotation('path')], action: 'replace', regex: '(.+)', target_label: '__metrics_path__' },
      {
        source_labels: ['__address__', annotation('port')],
        action: 'replace',
        regex: '([^:]+)(?::\\d+)?;(\\d+)',
        replacement: '$1:$2',
        target_label: '__address__',
      },
      { source_labels: ['__meta_kubernetes_namespace'], action: 'replace', target_label: 'namespace' },
      { source_labels: [`__meta_kubernetes_${role === 'pod' ? 'pod' : 'service'}_name`], action: 'replace', target_label: role === 'pod' ? 'pod' : 'service' },
    ],
  };
}

export function defaultScrapeConfiguration(clusterName: string): string {
  const config = {
    global: { scrape_interval: '30s', scrape_timeout: '10s', external_labels: { cluster: clusterName } },
    scrape_configs: [
      {
        job_name: 'kubernetes-apiservers',
        scheme: 'https',
        bearer_token_file: TOKEN_FILE,
        kubernetes_sd_configs: [{ role: 'endpoints' }],
        relabel_configs: [
          {
            source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name', '__meta_kubernetes_endpoint_port_name'],
            action: 'keep',
            regex: 'default;kubernetes;https',
          },
        ],
      },
      nodeProxyJob('kubernetes-kubelet', '/metrics'),
      nodeProxyJob('kubernetes-cadvisor', '/metrics/cadvisor'),
      annotatedJob('kubernetes-pods', 'pod', 'pod'),
      annotatedJob('kubernetes-service-endpoints', 'endpoints', 'service'),
    ],
  };
  return stringify(config, { lineWidth: 0 });
}
