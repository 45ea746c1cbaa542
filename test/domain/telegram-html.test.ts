import { describe, it, expect } from 'vitest';
import { htmlToPlainText, renderTelegramHtml, splitTelegramHtml } from '../../domain/telegram-html';

/** What Telegram insists on: tags balanced and properly nested, and no raw `<`, `>` or bare `&` in the text. */
function isWellFormed(html: string): boolean {
  const stack: string[] = [];
  for (const [, closing, name] of html.matchAll(/<(\/?)([a-z]+)(?:\s[^<>]*)?>|[<>]|&(?!(?:amp|lt|gt|quot);)/g)) {
    if (name === undefined) return false;
    if (closing === '') stack.push(name);
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0;
}

const telegramLength = (html: string) => htmlToPlainText(html).length;
const words = (text: string) => text.match(/[\p{L}\p{N}]+/gu) ?? [];
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('the well-formedness checker used below', () => {
  it('accepts nested tags and rejects crossed, unclosed or stray ones', () => {
    expect(isWellFormed('<b>a <i>b</i></b> <a href="x?a=1&amp;b=2">c</a> &lt;')).toBe(true);
    for (const bad of ['<b><i>a</b></i>', '<b>a', 'a</b>', 'a < b', 'a & b']) expect(isWellFormed(bad)).toBe(false);
  });
});

describe('renderTelegramHtml', () => {
  it('escapes HTML special characters in text', () => {
    expect(renderTelegramHtml('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(renderTelegramHtml('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });

  it('renders a fenced code block with its language, escaped and otherwise untouched', () => {
    const markdown = ['Try this:', '```ts', 'if (a < b && x**2) snake_case_name(_private);', '```'].join('\n');
    expect(renderTelegramHtml(markdown)).toBe(
      'Try this:\n<pre><code class="language-ts">if (a &lt; b &amp;&amp; x**2) snake_case_name(_private);</code></pre>',
    );
  });

  it('treats an unclosed fence as code to the end of the answer', () => {
    expect(renderTelegramHtml('```\nlet a = **b;\n\n_c_')).toBe('<pre><code>let a = **b;\n\n_c_</code></pre>');
  });

  it('formats nothing inside inline code', () => {
    expect(renderTelegramHtml('Call `a_b(**x**) < 1` now')).toBe('Call <code>a_b(**x**) &lt; 1</code> now');
  });

  it.each([
    ['**bold** and __bold__', '<b>bold</b> and <b>bold</b>'],
    ['*italic* and _italic_', '<i>italic</i> and <i>italic</i>'],
    ['~~gone~~', '<s>gone</s>'],
    ['**bold _and italic_ text**', '<b>bold <i>and italic</i> text</b>'],
    ['***both***', '<b><i>both</i></b>'],
    ['**Note:** done.', '<b>Note:</b> done.'],
  ])('renders emphasis: %s', (markdown, html) => {
    expect(renderTelegramHtml(markdown)).toBe(html);
  });

  it.each(['**bold without end', 'a_b_c', 'snake_case_words', '2*3*4 = 24', 'a lone _ and a lone **', '__init__.py', 'x ~~ y'])(
    'leaves unbalanced or intra-word markers as text: %s',
    (markdown) => {
      expect(renderTelegramHtml(markdown)).toBe(markdown);
    },
  );

  it.each(['**a _b** c_', '*a **b* c**', '~~a **b~~ c**', '***x', '_a *b_ c* **d'])(
    'stays well-formed when markers cross: %s',
    (markdown) => {
      const html = renderTelegramHtml(markdown);
      expect(isWellFormed(html)).toBe(true);
      expect(words(htmlToPlainText(html))).toEqual(words(markdown));
    },
  );

  describe('links', () => {
    it('links http(s) urls, escaping & and " in the href', () => {
      expect(renderTelegramHtml('[docs](https://example.com/?a=1&b="x")')).toBe(
        '<a href="https://example.com/?a=1&amp;b=&quot;x&quot;">docs</a>',
      );
    });

    it('links tg:// urls and formats the link text', () => {
      expect(renderTelegramHtml('[**me**](tg://user?id=42)')).toBe('<a href="tg://user?id=42"><b>me</b></a>');
    });

    it.each(['[click](javascript:alert(1))', '[file](src/main.ts)'])('does not link other schemes: %s', (markdown) => {
      const html = renderTelegramHtml(markdown);
      expect(html).not.toContain('<a');
      expect(html).toBe(markdown);
    });

    it('keeps underscores in a bare url', () => {
      expect(renderTelegramHtml('see https://example.com/_private_/x_y')).toBe('see https://example.com/_private_/x_y');
    });
  });

  it('renders headings bold, quotes as blockquotes, and bullets as •, keeping numbered lists', () => {
    const markdown = ['# Plan **now**', '> quoted _line_', '> second', '- one', '* two', '  - nested', '1. first'].join('\n');
    expect(renderTelegramHtml(markdown)).toBe(
      ['<b>Plan now</b>', '<blockquote>quoted <i>line</i>\nsecond</blockquote>', '• one', '• two', '  • nested', '1. first'].join('\n'),
    );
  });
});

describe('splitTelegramHtml', () => {
  it('returns a short message as one part, and nothing for blank input', () => {
    expect(splitTelegramHtml('<b>hi</b> there')).toEqual(['<b>hi</b> there']);
    expect(splitTelegramHtml(' \n ')).toEqual([]);
  });

  it('rejects a maximum below 16 characters', () => {
    expect(() => splitTelegramHtml('hello', 15)).toThrow(RangeError);
  });

  describe('a 10,000-character answer with paragraphs and a long code block', () => {
    const paragraph = (i: number) =>
      `Paragraph ${i}: **bold** and _italic_ words, a [link](https://example.com/?page=${i}&lang=en) and a < b. `.repeat(3).trim();
    const codeLines = Array.from({ length: 150 }, (_, i) => `if (values[${i}] < limit && flags._${i}) total += 2**${i};`);
    const answer = [
      ...Array.from({ length: 12 }, (_, i) => paragraph(i)),
      '```ts\n' + codeLines.join('\n') + '\n```',
      ...Array.from({ length: 8 }, (_, i) => paragraph(100 + i)),
    ].join('\n\n');
    const html = renderTelegramHtml(answer);
    const parts = splitTelegramHtml(html);

    it('needs several parts, each within 4096 characters as Telegram counts them', () => {
      expect(answer.length).toBeGreaterThanOrEqual(10_000);
      expect(parts.length).toBeGreaterThanOrEqual(3);
      for (const part of parts) expect(telegramLength(part)).toBeLessThanOrEqual(4096);
    });

    it('keeps every part well-formed on its own', () => {
      for (const part of parts) expect(isWellFormed(part)).toBe(true);
    });

    it('reopens the code block with its language in the next part and loses no code line', () => {
      const blocks = parts.flatMap((part) => [...part.matchAll(/<pre><code class="language-ts">([^<]*)<\/code><\/pre>/g)]);
      expect(blocks.length).toBeGreaterThanOrEqual(2);
      expect(blocks.flatMap(([, code]) => htmlToPlainText(code!).split('\n'))).toEqual(codeLines);
    });

    it('cuts only at the end of a paragraph or a code line, and keeps every word', () => {
      for (const part of parts.map(htmlToPlainText)) {
        expect(part).toMatch(/^(Paragraph \d+:|if \(values\[\d+\])/);
        expect(part).toMatch(/(a < b\.|total \+= 2\*\*\d+;)$/);
      }
      expect(words(htmlToPlainText(parts.join('\n')))).toEqual(words(htmlToPlainText(html)));
    });
  });

  it('falls back to word boundaries and reopens a cut link with its href', () => {
    const html = `<a href="https://example.com/?a=1&amp;b=2">${'word '.repeat(100).trim()}</a>`;
    const parts = splitTelegramHtml(html, 100);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part).toMatch(/^<a href="https:\/\/example\.com\/\?a=1&amp;b=2">word( word)*<\/a>$/);
      expect(telegramLength(part)).toBeLessThanOrEqual(100);
    }
  });

  it('never cuts inside an entity, counting it as one character', () => {
    const parts = splitTelegramHtml(renderTelegramHtml('&'.repeat(300)), 100);
    expect(parts).toEqual(Array(3).fill('&amp;'.repeat(100)));
  });

  it.each([
    ['aligned', ''],
    ['offset by one code unit', 'x'],
  ])('never splits an emoji (%s)', (_label, prefix) => {
    const text = prefix + '😀🚀👍🏽🎉'.repeat(1500);
    const parts = splitTelegramHtml(renderTelegramHtml(text));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(4096);
      expect(loneSurrogate.test(part)).toBe(false);
    }
    expect(parts.join('')).toBe(text);
  });
});

describe('htmlToPlainText', () => {
  it('strips the tags and decodes the entities once', () => {
    const html = '<b>a &lt; b</b> &amp;&amp; <a href="https://x.y/?a=1&amp;b=2">c &gt; d</a> &quot;q&quot; &amp;lt;';
    expect(htmlToPlainText(html)).toBe('a < b && c > d "q" &lt;');
  });

  it.each([
    '# Heading\n\nSome **bold**, _italic_ and ~~struck~~ text with `inline_code()`.',
    '- a < b && c > d\n- snake_case_words and 2*3*4\n> **unbalanced _quote',
    '```\ndef f(x):\n    return x ** 2 < 10  # <tag>\n```\nDone 🎉 [bad](javascript:alert(1))',
  ])('keeps every word of the markdown: %s', (markdown) => {
    const plain = htmlToPlainText(renderTelegramHtml(markdown));
    for (const word of words(markdown)) expect(plain).toContain(word);
  });
});

describe('any mix of markdown, however broken', () => {
  const pieces = [
    '*',
    '**',
    '_',
    '__',
    '~~',
    '`',
    '```ts',
    '\n',
    '\n\n',
    ' ',
    'word',
    '<',
    '&',
    '[x](https://a.b/?q=1&r=2)',
    '# ',
    '> ',
    '- ',
    '😀',
  ];
  let seed = 42;
  const random = (below: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % below;
  const samples = Array.from({ length: 2000 }, () => Array.from({ length: 1 + random(40) }, () => pieces[random(pieces.length)]).join(''));

  it('renders well-formed HTML and splits it into well-formed parts within the limit', () => {
    for (const markdown of samples) {
      const html = renderTelegramHtml(markdown);
      expect(isWellFormed(html), markdown).toBe(true);
      for (const part of splitTelegramHtml(html, 20)) {
        expect(isWellFormed(part), html).toBe(true);
        expect(telegramLength(part)).toBeLessThanOrEqual(20);
      }
    }
  });
});
