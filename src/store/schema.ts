import type { Generated } from 'kysely';

/** Row types as stored. Times are ISO-8601 UTC text on both engines (see docs/decisions/0002-storage.md). */
export interface SectionTable {
  id: Generated<number>;
  slug: string;
  name: string;
  position: number;
}

export interface TagTable {
  id: Generated<number>;
  slug: string;
  name: string;
}

export interface AuthorTable {
  id: Generated<number>;
  slug: string;
  name: string;
}

export interface MediaTable {
  id: Generated<number>;
  original_name: string;
  storage_key: string | null;
  mime: string | null;
  width: number | null;
  height: number | null;
  bytes: number | null;
  alt: string | null;
  created_at: string;
}

export interface ArticleTable {
  id: Generated<number>;
  slug: string;
  headline: string;
  summary: string | null;
  body: string;
  lead_media_id: number | null;
  lead_caption: string | null;
  lead_credit: string | null;
  dateline_place: string | null;
  source_label: string | null;
  section_id: number;
  status: string;
  published_at: string | null;
  created_at: string;
  updated_at: string;
  time_zone: string;
  city: string;
}

export interface ArticleTagTable {
  article_id: number;
  tag_id: number;
  position: number;
}

export interface ArticleAuthorTable {
  article_id: number;
  author_id: number;
  position: number;
}

export interface SiteStateTable {
  key: string;
  value: string;
}

export interface Database {
  sections: SectionTable;
  tags: TagTable;
  authors: AuthorTable;
  media: MediaTable;
  articles: ArticleTable;
  article_tags: ArticleTagTable;
  article_authors: ArticleAuthorTable;
  site_state: SiteStateTable;
}
