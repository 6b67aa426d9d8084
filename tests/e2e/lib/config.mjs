// Writes node configuration files (the INI syntax of config/default.conf)
// from plain objects, so tests state their jobs and GPIO lines as data:
//
//   renderConfig({
//     gpio: { backend: 'simulated', lines: [{ name: 'relay-a', direction: 'output' }] },
//     jobs: { definitions: [{ name: 'once', command: ['/bin/true'], autostart: false }] },
//   })
//
// Keys are written as given (use the option names: 'debounce-ms',
// 'watchdog-sec', 'active-low'). Durations are not strings in this syntax:
// write them with raw('300ms').

/** A value written exactly as given (durations such as 300ms). */
export class Raw {
  constructor(text) {
    this.text = text;
  }
}

export function raw(text) {
  return new Raw(text);
}

function quote(text) {
  return (
    '"' +
    text
      .replace(/\\/g, '\\\\')
      .replace(/"/g, '\\"')
      .replace(/\n/g, '\\n')
      .replace(/\t/g, '\\t') +
    '"'
  );
}

/** One configuration value: string, number, boolean, list or dictionary. */
export function renderValue(value) {
  if (value instanceof Raw) return value.text;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`only integers are supported: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(renderValue).join(', ')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${renderValue(v)}`)
      .join(', ')}}`;
  throw new Error(`cannot render ${JSON.stringify(value)} as a configuration value`);
}

/** A whole file: one [section] per top-level key, one line per option. */
export function renderConfig(sections) {
  const out = ['; written by the signalbox end-to-end tests'];
  for (const [section, options] of Object.entries(sections)) {
    out.push('', `[${section}]`);
    for (const [name, value] of Object.entries(options)) out.push(`${name}=${renderValue(value)}`);
  }
  return out.join('\n') + '\n';
}
