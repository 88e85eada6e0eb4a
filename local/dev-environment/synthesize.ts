import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `cdk synth -c stage=<stage> --quiet -o <outdir>` with the CLI in node_modules: the template and the
 * bundles the local runtime runs are the ones a deploy would upload.
 */
export function synthesizeStack(options: { projectRoot: string; stage: string; outdir: string; quiet?: boolean }): Promise<void> {
  const cli = join(options.projectRoot, 'node_modules', '.bin', 'cdk');
  // As on a fresh machine: AWS_* and CDK_* variables from the shell must not change what is synthesized.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('CDK_')));
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ['synth', '-c', `stage=${options.stage}`, '--quiet', '-o', options.outdir], {
      cwd: options.projectRoot,
      env,
      stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cdk synth -c stage=${options.stage} failed (exit ${String(code)})\n${output}`))));
  });
}
