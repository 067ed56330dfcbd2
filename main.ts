// Wiring only: the config path comes from AMP_XA_CONFIG, the output directory from cdktf (CDKTF_OUTDIR).
import { synthFleetApp } from './lib/fleet-app';

process.exitCode = synthFleetApp();
