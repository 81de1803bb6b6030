/**
 * A small, strict XML parser for tests (no dependency): elements, attributes, text, the XML
 * declaration and comments. Throws on anything not well-formed: unbalanced or crossed tags,
 * unquoted or repeated attributes, a bare `&` or `<`, text outside the root, more than one root.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
  find(name: string): XmlElement | undefined;
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITY = /^&(amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);/;

function element(name: string): XmlElement {
  return {
    name,
    attributes: {},
    children: [],
    text: '',
    find(child) {
      return this.children.find((c) => c.name === child);
    },
  };
}

function checkText(text: string, where: number): string {
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    if (!ENTITY.test(text.slice(i))) throw new Error(`bare & at ${where + i}`);
  }
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export function parseXml(source: string): XmlElement {
  let i = 0;
  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const text = source.slice(i, lt < 0 ? source.length : lt);
    if (stack.length === 0) {
      if (text.trim() !== '') throw new Error(`text outside the root at ${i}`);
    } else stack.at(-1)!.text += checkText(text, i);
    if (lt < 0) break;
    i = lt;
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    if (source.startsWith('</', i)) {
      const m = NAME.exec(source.slice(i + 2));
      const open = stack.pop();
      if (!m || !open || m[0] !== open.name)
        throw new Error(`closing tag ${m?.[0]} does not match ${open?.name}`);
      i += 2 + m[0].length;
      while (/\s/.test(source[i] ?? '')) i++;
      if (source[i] !== '>') throw new Error(`bad closing tag at ${i}`);
      i++;
      continue;
    }
    const m = NAME.exec(source.slice(i + 1));
    if (!m) throw new Error(`bad tag at ${i}`);
    const el = element(m[0]);
    i += 1 + m[0].length;
    for (;;) {
      const space = /^\s*/.exec(source.slice(i))![0].length;
      i += space;
      if (source.startsWith('/>', i) || source[i] === '>') break;
      if (space === 0) throw new Error(`attribute without a space before it at ${i}`);
      const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(source.slice(i));
      if (!attr) throw new Error(`bad attribute at ${i}`);
      if (attr[1]! in el.attributes) throw new Error(`repeated attribute ${attr[1]}`);
      el.attributes[attr[1]!] = checkText(attr[3] ?? attr[4] ?? '', i);
      i += attr[0].length;
    }
    if (stack.length === 0) {
      if (root) throw new Error('more than one root element');
      root = el;
    } else stack.at(-1)!.children.push(el);
    if (source.startsWith('/>', i)) i += 2;
    else {
      i += 1;
      stack.push(el);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed ${stack.at(-1)!.name}`);
  if (!root) throw new Error('no root element');
  return root;
}
