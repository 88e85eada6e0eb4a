import { AwsServiceError, startAwsJsonProtocolServer, type RunningAwsJsonServer } from '../http/aws-json-protocol-server';
import { ExecutionAlreadyExistsError, ExecutionNotRedrivableError, type ExecutionRecord, type LocalStateMachines } from './local-state-machines';

/**
 * Step Functions' `StartExecution`, `DescribeExecution`, `ListExecutions` and `RedriveExecution` over the AWS JSON 1.0
 * protocol (`x-amz-target: AWSStepFunctions.<Operation>`), for the bundles' SFN client and for tests.
 */
export function startStepFunctionsServer(options: { stateMachines: LocalStateMachines; port?: number }): Promise<RunningAwsJsonServer> {
  const { stateMachines } = options;
  return startAwsJsonProtocolServer({
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    ...(options.port !== undefined ? { port: options.port } : {}),
    operations: {
      StartExecution: (input) => {
        try {
          const execution = stateMachines.startExecution({
            stateMachineArn: String(input['stateMachineArn'] ?? ''),
            ...(typeof input['name'] === 'string' ? { name: input['name'] } : {}),
            ...(typeof input['input'] === 'string' ? { input: input['input'] } : {}),
          });
          return { executionArn: execution.executionArn, startDate: execution.startDate / 1000 };
        } catch (error) {
          if (error instanceof ExecutionAlreadyExistsError) throw new AwsServiceError('ExecutionAlreadyExists', error.message);
          if ((error as Error).name === 'StateMachineDoesNotExist') throw new AwsServiceError('StateMachineDoesNotExist', (error as Error).message);
          throw error;
        }
      },
      RedriveExecution: (input) => {
        try {
          const execution = stateMachines.redriveExecution(String(input['executionArn'] ?? ''));
          return { redriveDate: (execution.redriveDate ?? Date.now()) / 1000 };
        } catch (error) {
          if (error instanceof ExecutionNotRedrivableError) throw new AwsServiceError('ExecutionNotRedrivable', error.message);
          if ((error as Error).name === 'ExecutionDoesNotExist') throw new AwsServiceError('ExecutionDoesNotExist', (error as Error).message);
          throw error;
        }
      },
      DescribeExecution: (input) => {
        const execution = stateMachines.describeExecution(String(input['executionArn'] ?? ''));
        if (!execution) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(input['executionArn'])}'`);
        return toWireExecution(execution);
      },
      ListExecutions: (input) => ({
        executions: stateMachines
          .listExecutions(typeof input['stateMachineArn'] === 'string' ? input['stateMachineArn'] : undefined)
          .filter((execution) => input['statusFilter'] === undefined || execution.status === input['statusFilter'])
          .map(({ executionArn, stateMachineArn, name, status, startDate, stopDate }) => ({
            executionArn,
            stateMachineArn,
            name,
            status,
            startDate: startDate / 1000,
            ...(stopDate !== undefined ? { stopDate: stopDate / 1000 } : {}),
          })),
      }),
    },
  });
}

/** Timestamps travel as epoch seconds in the JSON protocol. */
function toWireExecution(execution: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate / 1000,
    input: execution.input,
    ...(execution.stopDate !== undefined ? { stopDate: execution.stopDate / 1000 } : {}),
    ...(execution.output !== undefined ? { output: execution.output } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    ...(execution.redriveCount !== undefined ? { redriveCount: execution.redriveCount, redriveStatus: execution.status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE' } : {}),
    ...(execution.redriveDate !== undefined ? { redriveDate: execution.redriveDate / 1000 } : {}),
  };
}
