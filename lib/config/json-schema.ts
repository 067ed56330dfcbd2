/** The JSON Schema editors use for fleet configs, derived from the zod schema (input side: defaults optional). */
import { zodToJsonSchema } from 'zod-to-json-schema';
import { configSchema } from './schema';

export function fleetConfigJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    // zod-to-json-schema types its input against zod's v3 subpath; the objects are the same classes.
    ...zodToJsonSchema(configSchema as any, { target: 'jsonSchema7', $refStrategy: 'none', effectStrategy: 'input', removeAdditionalStrategy: 'strict' }),
    $id: 'https://github.com/amp-xa/amp-xa/amp-xa.schema.json',
    title: 'amp-xa fleet config',
    description: 'Accounts, EKS clusters, AMP workspaces and the (cluster -> workspace) pairs amp-xa connects. See README, Config reference.',
  };
}
