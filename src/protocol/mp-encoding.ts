/**
 * "MP-encoding" of free text, as the v3 firmware applies it to `PA`/`PI` notification texts, `c7`
 * and `c41` output and the text fields of `F` (WIRE.md §3.1). A message is one line of
 * comma-separated fields, so line breaks and commas cannot appear raw: CR LF and bare LF become a
 * single CR, and each comma becomes a semicolon. Bare CR stays as it is.
 *
 * `PE` texts and `c49` modem output are not MP-encoded; do not run them through `mpDecodeForDisplay`
 * expecting the original back either: the comma → semicolon step cannot be undone.
 */

export function mpEncode(text: string): string {
  return text.replace(/\r?\n/g, '\r').replaceAll(',', ';');
}

/** Turns an MP-encoded text into something printable: every CR becomes a newline. */
export function mpDecodeForDisplay(text: string): string {
  return text.replaceAll('\r', '\n');
}
