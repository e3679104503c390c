import type { ColumnType, Generated } from 'kysely';

/** A nullable column that inserts may leave out (added after the first migration). */
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;

/** Row types as stored. Times are ISO-8601 UTC text on both engines (see docs/decisions/0002-storage.md). */
export interface SectionTable {
  id: Generated<number>;
  slug: string;
  name: string;
  position: number;
  parent_id: Optional<number>;
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
  caption: Optional<string>;
  credit: Optional<string>;
  variants: Optional<string>;
  uploaded_by: Optional<number>;
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
  owner_id: Optional<number>;
  scheduled_at: Optional<string>;
  staged_revision_id: Optional<number>;
  revised_at: Optional<string>;
  /** 0/1: a sticky WordPress post; the home page's lead prefers it (migration 0005). */
  featured: ColumnType<number, number | undefined, number>;
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

export interface UserTable {
  id: Generated<number>;
  email: string;
  display_name: string;
  role: string;
  password_hash: string;
  disabled_at: string | null;
  created_at: string;
  password_changed_at: string;
}

export interface SessionTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  last_failure_at: string;
  blocked_until: string | null;
}

export interface ApiTokenTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  scope: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  user_id: number | null;
  /** Who, as shown: an email, `cli`, `scheduler`; kept when the user row is gone. */
  actor: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: string | null;
}

export interface ArticleRevisionTable {
  id: Generated<number>;
  article_id: number;
  number: number;
  user_id: number | null;
  created_at: string;
  content: string;
  note: string | null;
}

export interface LiveCoverageTable {
  id: Generated<number>;
  slug: string;
  title: string;
  summary: string | null;
  status: string;
  started_at: string;
  ended_at: string | null;
  stream_url: string | null;
  time_zone: string;
  city: string;
  created_by: number | null;
  last_event_id: ColumnType<number, number | undefined, number>;
}

export interface LiveEntryTable {
  id: Generated<number>;
  coverage_id: number;
  created_at: string;
  /** JSON array of user ids, first author first. */
  author_ids: string;
  /** JSON array of body blocks. */
  body: string;
  key_event: number;
  pinned: number;
  edited_at: string | null;
  deleted_at: string | null;
}

export interface LiveEventTable {
  coverage_id: number;
  event_id: number;
  type: string;
  entry_id: number | null;
  payload: string;
  created_at: string;
}

/** Filter and recency data of one indexed document; the terms live in the engine's own structure. */
export interface SearchDocumentTable {
  id: Generated<number>;
  type: 'article' | 'live';
  ref_id: number;
  coverage_id: number | null;
  section_id: number | null;
  published_at: string;
}

/** Static pages (من نحن …), migration 0005. Body: JSON blocks, like articles. */
export interface PageTable {
  id: Generated<number>;
  slug: string;
  title: string;
  body: string;
  status: 'draft' | 'published';
  position: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

/** Which local row an item from an import source became (WordPress post id, GUID, login …). */
export interface ImportKeyTable {
  source: string;
  kind: string;
  external_id: string;
  local_id: number;
  hash: string | null;
  updated_at: string;
}

/** An old URL (decoded path, no trailing slash) answering 301 to an article or page. */
export interface RedirectTable {
  path: string;
  target_type: 'article' | 'page';
  target_id: number;
  source: string | null;
  created_at: string;
}

/** A feed the newsroom polls (src/services/ingest.ts); times are ISO-8601 UTC. */
export interface IngestSourceTable {
  id: Generated<number>;
  name: string;
  url: string;
  section: string | null;
  interval_s: number;
  etag: string | null;
  last_modified: string | null;
  next_poll_at: string;
  claimed_until: string | null;
  failures: ColumnType<number, number | undefined, number>;
  last_polled_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  created_at: string;
}

/** One feed item in the incoming queue; `body` is sanitized body blocks as JSON. */
export interface IncomingItemTable {
  id: Generated<number>;
  source_id: number;
  item_key: string;
  title: string;
  link: string | null;
  excerpt: string;
  body: string;
  published_at: string | null;
  received_at: string;
  status: ColumnType<'new' | 'taken' | 'dismissed', 'new' | 'taken' | 'dismissed' | undefined, 'new' | 'taken' | 'dismissed'>;
  article_id: number | null;
  decided_by: number | null;
  decided_at: string | null;
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
  users: UserTable;
  sessions: SessionTable;
  login_throttle: LoginThrottleTable;
  api_tokens: ApiTokenTable;
  audit_log: AuditLogTable;
  article_revisions: ArticleRevisionTable;
  live_coverages: LiveCoverageTable;
  live_entries: LiveEntryTable;
  live_events: LiveEventTable;
  search_documents: SearchDocumentTable;
  ingest_sources: IngestSourceTable;
  incoming_items: IncomingItemTable;
  pages: PageTable;
  import_keys: ImportKeyTable;
  redirects: RedirectTable;
}
