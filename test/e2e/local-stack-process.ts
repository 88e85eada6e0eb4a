/**
 * The local runtime as its own process, for the crash test: started with the settings in
 * LOCAL_STACK_SETTINGS (JSON), it prints `READY <url>` once serving. The test kills it with SIGKILL.
 */
import { startLocalStack, type LocalStackOptions } from '../../local/runtime/local-stack';

const settings = JSON.parse(process.env.LOCAL_STACK_SETTINGS ?? '{}') as LocalStackOptions;
const stack = await startLocalStack(settings);
process.stdout.write(`READY ${stack.url}\n`);
