/** The JSON Schema editors use for fleet configs, derived from the zod schema (input side: defaults optional). */
import { z } from 'zod';
import { configSchema } from './schema';

export function fleetConfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://github.com/amp-xa/amp-xa/amp-xa.schema.json',
    title: 'amp-xa fleet config',
    description: 'Accounts, EKS clusters, AMP workspaces and the (cluster -> workspace) pairs amp-xa connects. See README, Config reference.',
  };
}
