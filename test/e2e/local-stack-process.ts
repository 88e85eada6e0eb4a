/**
 * The local runtime as its own process, for the crash test: started with the settings in
 * LOCAL_STACK_SETTINGS (JSON), it prints `READY <url>` once serving. The test kills it with SIGKILL.
 */
import { handleConsoleRequest } from '../../local/console/console-routes';
import { startLocalStack, type LocalStackOptions } from '../../local/runtime/local-stack';

const settings = JSON.parse(process.env.LOCAL_STACK_SETTINGS ?? '{}') as LocalStackOptions;
// The ops console as `npm start` serves it (settings travel as JSON: the routes are added here).
const stack = await startLocalStack({ ...settings, httpRoutes: [handleConsoleRequest] });
process.stdout.write(`READY ${stack.url}\n`);
