/**
 * The UTF-8 byte length of a string, without an encoded copy. (Not
 * `new Blob([text]).size`: in Chromium each Blob registers with the browser
 * process, some 200 µs apiece.)
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) bytes += code > 0x7ff ? 2 : 1;
    // A surrogate pair is 4 bytes: 1 + 2 for the high half above, 1 for the low half (already in length).
    if (code >= 0xd800 && code < 0xdc00) i++;
  }
  return bytes;
}
