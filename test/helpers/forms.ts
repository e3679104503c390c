import { randomBytes } from 'node:crypto';

/** Reading server-rendered forms back, and building multipart bodies, for newsroom tests. */

const decode = (s: string) =>
  s.replace(/&(quot|amp|lt|gt|#39|#x27|apos);/g, (_, e: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', '#39': "'", '#x27': "'", apos: "'" })[e]!);

function attrs(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of raw.matchAll(/([a-zA-Z_:][-\w:]*)(?:="([^"]*)")?/g)) out[m[1]!.toLowerCase()] = decode(m[2] ?? '');
  return out;
}

/** name → value of every field a browser would submit, as rendered (templates left out). */
export function formValues(html: string, formSelector = /<form\b[^>]*data-editor[^>]*>([\s\S]*?)<\/form>/): Map<string, string> {
  const body = (formSelector.exec(html)?.[1] ?? html).replace(/<template\b[\s\S]*?<\/template>/g, '');
  const values = new Map<string, string>();
  for (const m of body.matchAll(/<input\b([^>]*?)\/?>/g)) {
    const a = attrs(m[1]!);
    if (!a.name || a.type === 'file' || a.type === 'submit') continue;
    if (a.type === 'checkbox') {
      if ('checked' in a) values.set(a.name, a.value ?? 'on');
      continue;
    }
    values.set(a.name, a.value ?? '');
  }
  for (const m of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const a = attrs(m[1]!);
    if (a.name) values.set(a.name, decode(m[2]!));
  }
  for (const m of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const a = attrs(m[1]!);
    const options = [...m[2]!.matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/g)].map((o) => attrs(o[1]!));
    const chosen = options.find((o) => 'selected' in o) ?? options[0];
    if (a.name) values.set(a.name, chosen?.value ?? '');
  }
  return values;
}

export interface FilePart {
  name: string;
  filename: string;
  type: string;
  data: Buffer;
}

/** A multipart/form-data body as a browser sends it. */
export function multipart(fields: Record<string, string> | [string, string][], files: FilePart[] = []) {
  const boundary = `----nashra${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Array.isArray(fields) ? fields : Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  for (const f of files) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`),
      f.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
