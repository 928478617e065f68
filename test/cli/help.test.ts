import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';
import { captureIO } from '../support/cli-io.ts';
import { commandPaths, fullProgram } from '../support/cli-tree.ts';

// Every command and subcommand shows examples in its --help, and its descriptions are single paragraphs that
// commander wraps to the terminal, never lines broken by hand in the middle of a sentence.

async function helpTexts(): Promise<{ name: string; command: Command; help: string }[]> {
  const program = await fullProgram(captureIO());
  return commandPaths(program).map(({ path, command }) => {
    const out: string[] = [];
    command.configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => out.push(s) });
    command.outputHelp();
    return { name: path.join(' '), command, help: out.join('') };
  });
}

test('every command and subcommand has examples in --help', async () => {
  const missing = (await helpTexts()).filter((h) => !/\nExamples?:\n/.test(h.help)).map((h) => h.name);
  assert.deepEqual(missing, [], `no "Examples:" section in the help of: ${missing.join(', ')}`);
});

test('descriptions and option texts carry no hard line breaks', async () => {
  const broken: string[] = [];
  for (const { name, command } of await helpTexts()) {
    if (command.description().includes('\n')) broken.push(`${name}: description`);
    if (command.summary().includes('\n')) broken.push(`${name}: summary`);
    for (const o of command.options) if (o.description.includes('\n')) broken.push(`${name} ${o.flags}`);
  }
  assert.deepEqual(broken, []);
});
