// RFC 2047 encoded words (`=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=`) in header values,
// decoded for display. A word that cannot be decoded is shown as written.

const WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
/** White space between two encoded words is not part of the text (RFC 2047 §6.2). */
const BETWEEN_WORDS = /(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?)/g;

export function decodeEncodedWords(value) {
  return value.replace(BETWEEN_WORDS, "$1").replace(WORD, (word, charset, encoding, text) => {
    try {
      const bytes = encoding.toUpperCase() === "B" ? base64Bytes(text) : qBytes(text);
      // RFC 2231 allows a language after the charset: `UTF-8*de`.
      return new TextDecoder(charset.replace(/\*.*$/, ""), { fatal: true }).decode(bytes);
    } catch {
      return word;
    }
  });
}

function base64Bytes(text) {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

function qBytes(text) {
  const bytes = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "_") bytes.push(0x20);
    else if (text[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i));
  }
  return new Uint8Array(bytes);
}
