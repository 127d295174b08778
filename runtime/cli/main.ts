// fovea CLI entry. Subcommands live in their own files.
export async function main(argv: string[]): Promise<number> {
  console.log('usage: fovea <run|info> …', argv);
  return 0;
}
