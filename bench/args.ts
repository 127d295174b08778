// Command-line options of the benchmark scripts: `--name value` pairs and `--flag` switches.
const args = process.argv.slice(2);

/** The value after `--name`, or `def`. */
export function option(name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
}

/** Whether the switch `--name` is present. */
export function flag(name: string): boolean {
  return args.includes(`--${name}`);
}
