/** Tables the way kubectl prints them: upper-case headers, columns separated by spaces, no borders. */
import Table from 'cli-table3';

const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '   ',
};

/** A borderless table; indent shifts every row right (for tables inside a report). */
export function plainTable(head: string[], indent = 0): Table.Table {
  return new Table({ head, chars: PLAIN_CHARS, style: { head: [], border: [], 'padding-left': indent, 'padding-right': 0 } });
}

/** The table's text without the trailing spaces cli-table3 pads cells with. */
export function render(t: Table.Table): string {
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}
