import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import type { Logger } from '../shared/logger.ts';
import { type CliIO, UsageError } from './cli-context.ts';

export interface CommandContext {
  config: Config;
  io: CliIO;
  logger: Logger;
}

/** What a command does with its arguments; resolves to the exit code. */
export type RunCommand = (args: string[], context: CommandContext) => Promise<number>;

/**
 * One `hookline <name>` command. Its code is loaded only when it runs: `help` and a light
 * command do not pay for pg-boss or the GraphQL stack.
 */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  load(): Promise<RunCommand>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs, strict, with its complaints turned into usage errors. */
export function parseOptions<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(`${flag} is required`);
  }
  return value.trim();
}
