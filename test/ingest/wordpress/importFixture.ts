import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { available } from '../../helpers/services.js';

/** The real WordPress 6.1.9 export, its uploads folder and its list of facts (../shared/fixtures/wordpress). */
export const WP_DIR = fileURLToPath(new URL('../../../../shared/fixtures/wordpress/', import.meta.url));
export const WP_XML = join(WP_DIR, 'sample-export.xml');
export const WP_UPLOADS = join(WP_DIR, 'uploads');
export const wpFixturePresent = () =>
  available('WordPress fixture', existsSync(WP_XML) && existsSync(join(WP_DIR, 'sample-expected.json')), `${WP_XML} not found`);

export interface ExpectedImage {
  file: string;
  caption: string;
  caption_text?: string;
  credit: string;
  alt: string;
}
export interface ExpectedComment {
  wp_comment_id: number;
  author: string;
  approved: boolean;
  parent: number;
  user_login: string | null;
  date_utc: string;
}
export interface ExpectedPost {
  wp_post_id: number;
  type: 'post' | 'page';
  title: string;
  slug: string;
  slug_encoded: string;
  status: string;
  date_damascus: string;
  date_utc: string | null;
  wp_link: string;
  author: { login: string; display_name: string };
  categories: { name: string; slug: string; parent: string | null }[];
  tags: { name: string; slug: string }[];
  featured_image: ExpectedImage | null;
  body_images: ExpectedImage[];
  editor: 'blocks' | 'classic';
  excerpt: string;
  sticky: boolean;
  old_slugs: string[];
  comments: ExpectedComment[];
}
export interface Expected {
  counts: Record<string, number>;
  authors: { login: string; display_name: string }[];
  categories: { name: string; slug: string; parent: string | null }[];
  tags: { name: string; slug: string }[];
  posts: ExpectedPost[];
  pages: ExpectedPost[];
}

export const loadExpected = (): Expected => JSON.parse(readFileSync(join(WP_DIR, 'sample-expected.json'), 'utf8')) as Expected;
