import { Command } from 'commander';
import { verbs } from '../../src/cli/commands.ts';
import type { CliIO } from '../../src/cli/io.ts';

/** A program with every verb module loaded (the CLI itself loads only the verb being run). */
export async function fullProgram(io: CliIO): Promise<Command> {
  const program = new Command('ironclad');
  for (const verb of verbs) (await verb.load())(program, io, () => {});
  return program;
}

/** Every command under `program` as the words that name it (`['db', 'import']`), parents before children. */
export function commandPaths(program: Command): { path: string[]; command: Command }[] {
  const out: { path: string[]; command: Command }[] = [];
  const walk = (cmd: Command, prefix: string[]) => {
    for (const sub of cmd.commands) {
      const path = [...prefix, sub.name()];
      out.push({ path, command: sub });
      walk(sub, path);
    }
  };
  walk(program, []);
  return out;
}
