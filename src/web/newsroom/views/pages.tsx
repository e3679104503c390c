import { assetUrl } from '../../reader/assets.js';
import { NewsroomLayout, type NewsroomContext } from './layout.js';
import { ArticleEditor, type EditorProps } from './articleEditor.js';
import { ArticleList, type ArticleListProps } from './articleList.js';
import { Revisions, type RevisionsProps } from './revisions.js';

/**
 * The editor's own stylesheet and scripts, inside the newsroom layout's body (valid HTML, and
 * the shared layout needs no slot for them). `defer`: the form works before the script runs,
 * and the script only enhances what is already there.
 */
function EditorAssets() {
  return (
    <>
      <link rel="stylesheet" href={assetUrl('editor.css')} />
      <script src={assetUrl('editor.js')} defer></script>
      <script src={assetUrl('autosave.js')} defer></script>
    </>
  );
}

export function EditorPage(props: EditorProps & { ctx: NewsroomContext }) {
  const title = props.article ? `تحرير: ${props.fields.headline || 'بلا عنوان'}` : 'مقال جديد';
  return (
    <NewsroomLayout ctx={props.ctx} title={title}>
      <EditorAssets />
      <ArticleEditor {...props} />
    </NewsroomLayout>
  );
}

export function ArticleListPage(props: ArticleListProps & { ctx: NewsroomContext }) {
  return (
    <NewsroomLayout ctx={props.ctx} title="المقالات">
      <link rel="stylesheet" href={assetUrl('editor.css')} />
      <ArticleList {...props} />
    </NewsroomLayout>
  );
}

export function RevisionsPage(props: RevisionsProps & { ctx: NewsroomContext }) {
  return (
    <NewsroomLayout ctx={props.ctx} title={`النسخ السابقة: ${props.article.headline}`}>
      <link rel="stylesheet" href={assetUrl('editor.css')} />
      <Revisions {...props} />
    </NewsroomLayout>
  );
}
