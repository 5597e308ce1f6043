/**
 * Class-list files as published with FC-CLIP (`id:name,synonym,...` a line; id 0 may be a placeholder)
 * -> the app's vocabulary syntax (one class a line, synonyms joined by "|").
 */
export function classListToVocabulary(text: string): string {
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*\d+\s*:(.*)$/.exec(raw);
    const body = (m ? m[1]! : raw).trim();
    if (!body || body === 'invalid_class_id') continue;
    const names = [...new Set(body.split(',').map((n) => n.replace(/[|;]/g, ' ').trim()))].filter(Boolean);
    if (names.length) lines.push(names.join(' | '));
  }
  return lines.join('\n');
}
