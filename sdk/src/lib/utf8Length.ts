/**
 * The UTF-8 byte length of a string. (Not `new Blob([text]).size`: in
 * Chromium each Blob registers with the browser process, some 200 µs apiece.)
 */
export const utf8Length = (text: string) => new TextEncoder().encode(text).length;
