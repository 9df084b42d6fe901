/** Category labels under bars, fitted to the room each bar has. Pure. */

/** About how wide a character of the axis font is, in CSS pixels. */
const CHAR_PX = 6.5;

/** A bar's label in lines that fit `widthPx`: whole words where they fit, cut with an ellipsis where one does not; at most three lines. */
export function fitLabel(label: string, widthPx: number): string {
  const max = Math.max(4, Math.floor((widthPx * 0.9) / CHAR_PX));
  if (label.length <= max) return label;
  const lines: string[] = [];
  for (const word of label.split(/\s+/)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= max) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  const cut = (line: string) => (line.length > max ? `${line.slice(0, max - 1)}…` : line);
  return (lines.length > 3 ? [...lines.slice(0, 2), `${lines[2]}…`] : lines).map(cut).join('\n');
}
