// A job's command is an argv array; the form shows it as one line the way
// a shell would take it: words split on spaces, "double" or 'single'
// quotes keep spaces, a backslash escapes the next character (not inside
// single quotes). No variables, globs or pipes: nothing runs a shell here.

/** "/bin/sh -c 'echo hi'" → ["/bin/sh", "-c", "echo hi"]; throws on an open quote. */
export function parseCommand(text) {
  const argv = [];
  let word = null; // null: between words
  let quote = null;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (c === '\\' && i + 1 < text.length) {
      i += 1;
      word = (word ?? '') + text[i];
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word = word ?? '';
    } else if (/\s/.test(c)) {
      if (word !== null) argv.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new Error(`the command has an unclosed ${quote} quote`);
  if (word !== null) argv.push(word);
  if (argv.length === 0) throw new Error('the command is empty');
  return argv;
}

/** The inverse: words that need it are single-quoted. */
export function quoteCommand(argv) {
  return argv
    .map((a) => (a !== '' && /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}
