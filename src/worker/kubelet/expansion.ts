/**
 * $(VAR) expansion exactly as Kubernetes does it in env values, command and args
 * (third_party/forked/golang/expansion/expand.go):
 *
 * - "$(NAME)" is replaced by NAME's value; a NAME the mapping does not know stays "$(NAME)";
 * - "$$" is an escaped "$" (so "$$(NAME)" gives a literal "$(NAME)");
 * - a "$" followed by anything else, an unclosed "$(", and a trailing "$" stay as written.
 *
 * NAME is everything up to the first ")": no name syntax is enforced, as in Go.
 */

/** Expands input with mapping; mapping answers undefined for names it does not know. */
export function expand(input: string, mapping: (name: string) => string | undefined): string {
  // Most values have no "$" at all: skip the scan.
  if (!input.includes('$')) return input;
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close < 0) {
        // Incomplete reference: "$(" is kept and scanning goes on after it.
        out += '$(';
      } else {
        const name = input.slice(cursor + 2, close);
        out += mapping(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      out += '$' + next;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** A mapping that looks names up in maps, first match wins (expansion.MappingFuncFor). */
export function mappingFor(...maps: ReadonlyMap<string, string>[]): (name: string) => string | undefined {
  return (name) => {
    for (const m of maps) {
      const v = m.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}
