//! The index on disk (or in memory for tests): opening, writing batches with a
//! checkpoint, and reading the checkpoint back after a restart.

use crate::analysis::{CHARS, PAIRS, WORDS, chars_analyzer, pairs_analyzer, words_analyzer};
use crate::schema::{Fields, SCHEMA_VERSION};
use crate::{Doc, DocKind, SearchError, SearchResult};
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use tantivy::indexer::LogMergePolicy;
use tantivy::schema::{Facet, TantivyDocument};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

/// Memory the writer may buffer before it flushes a segment. The server's whole budget is
/// a few hundred megabytes; indexing must not take most of it.
const WRITER_HEAP_BYTES: usize = 48_000_000;

/// Segments holding more live documents than this are no longer merged. Tantivy merges
/// eight segments of a size into one; left alone it ends up merging the whole index, and
/// at a million tickets that merge, run beside a full create load, took the server from
/// 330–370 MB to 1.4–1.5 GB resident (reading every segment through `mmap` and writing
/// the new one; BENCHMARKS.md). With the cap the largest merge combines eight segments of
/// at most this size, which takes millions of new documents to come about. The price:
/// more segments to search (they are searched on both cores), and documents deleted from
/// a segment over the cap (an old ticket updated again) stay in it.
const MAX_DOCS_MERGED: usize = 250_000;

/// The file beside the index that says which schema version wrote it.
const VERSION_FILE: &str = "kefu-schema-version";

pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<IndexWriter>,
    pub(crate) fields: Fields,
    /// True when the index was created empty (first start, or another schema version was
    /// found and discarded): the caller rebuilds it from the store.
    created: bool,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if there is none. An index of another schema
    /// version is deleted and created anew (it is derived data).
    pub fn open(dir: &Path) -> SearchResult<SearchIndex> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Io(format!("creating {}: {e}", dir.display())))?;
        let version_path = dir.join(VERSION_FILE);
        let found = std::fs::read_to_string(&version_path).ok();
        let current = found.as_deref().map(str::trim) == Some(SCHEMA_VERSION.to_string().as_str());
        let (schema, fields) = Fields::schema();
        let (index, created) = if current && Index::exists(&tantivy::directory::MmapDirectory::open(dir)?).unwrap_or(false) {
            (Index::open_in_dir(dir)?, false)
        } else {
            if found.is_some() {
                tracing::info!(dir = %dir.display(), "search index of another version: rebuilding it");
            }
            clear_dir(dir)?;
            let index = Index::create_in_dir(dir, schema)?;
            std::fs::write(&version_path, SCHEMA_VERSION.to_string())
                .map_err(|e| SearchError::Io(format!("writing {}: {e}", version_path.display())))?;
            (index, true)
        };
        SearchIndex::with_index(index, fields, created)
    }

    /// An index in memory, for tests and tools.
    pub fn in_memory() -> SearchResult<SearchIndex> {
        let (schema, fields) = Fields::schema();
        SearchIndex::with_index(Index::create_in_ram(schema), fields, true)
    }

    fn with_index(mut index: Index, fields: Fields, created: bool) -> SearchResult<SearchIndex> {
        // A broad query over a large index spends its time in a handful of big segments:
        // searching them on every core at once roughly divides one search's latency by
        // the number of cores (the writer merges segments on its own threads).
        index.set_default_multithread_executor()?;
        index.tokenizers().register(WORDS, words_analyzer());
        index.tokenizers().register(CHARS, chars_analyzer());
        index.tokenizers().register(PAIRS, pairs_analyzer());
        let writer: IndexWriter = index.writer_with_num_threads(1, WRITER_HEAP_BYTES)?;
        let mut merges = LogMergePolicy::default();
        merges.set_max_docs_before_merge(MAX_DOCS_MERGED);
        writer.set_merge_policy(Box::new(merges));
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            created,
        })
    }

    /// Whether the index started empty and must be filled from the store.
    pub fn was_created(&self) -> bool {
        self.created
    }

    /// The checkpoint of the last commit: what the feeder had indexed up to.
    pub fn checkpoint(&self) -> SearchResult<Option<String>> {
        Ok(self.index.load_metas()?.payload)
    }

    /// Replaces or adds `upserts`, removes `deletes`, and commits with `checkpoint`; the
    /// change is searchable when this returns. Blocking: call it off the async runtime.
    pub fn write(&self, upserts: &[Doc], deletes: &[(DocKind, i64)], checkpoint: &str) -> SearchResult<()> {
        self.add(upserts, deletes)?;
        self.commit(checkpoint)
    }

    /// Hands documents to the writer without committing them: they are searchable, and
    /// durable, after the next [`SearchIndex::commit`]. A caller with many documents adds
    /// them a part at a time, so they are not all built in memory at once.
    pub fn add(&self, upserts: &[Doc], deletes: &[(DocKind, i64)]) -> SearchResult<()> {
        let writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        for (kind, id) in deletes {
            writer.delete_term(self.key_term(*kind, *id));
        }
        for doc in upserts {
            writer.delete_term(self.key_term(doc.kind, doc.id));
            writer.add_document(self.document(doc))?;
        }
        Ok(())
    }

    /// Commits what was added, with `checkpoint` as the commit's payload, and shows it to
    /// searches.
    pub fn commit(&self, checkpoint: &str) -> SearchResult<()> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(checkpoint);
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Removes every document (committed with `checkpoint`), before a rebuild.
    pub fn clear(&self, checkpoint: &str) -> SearchResult<()> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        writer.delete_all_documents()?;
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(checkpoint);
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// How many documents of `kind` are searchable.
    pub fn count(&self, kind: DocKind) -> SearchResult<u64> {
        let searcher = self.reader.searcher();
        Ok(searcher.doc_freq(&Term::from_field_text(self.fields.kind, kind.as_str()))?)
    }

    fn key_term(&self, kind: DocKind, id: i64) -> Term {
        Term::from_field_text(self.fields.key, &doc_key(kind, id))
    }

    fn document(&self, doc: &Doc) -> TantivyDocument {
        let f = &self.fields;
        let mut out = TantivyDocument::default();
        out.add_text(f.key, doc_key(doc.kind, doc.id));
        out.add_text(f.kind, doc.kind.as_str());
        out.add_i64(f.id, doc.id);
        out.add_text(f.title, &doc.title);
        out.add_text(f.title_chars, &doc.title);
        out.add_text(f.title_pairs, &doc.title);
        out.add_text(f.body, &doc.body);
        out.add_text(f.body_chars, &doc.body);
        out.add_text(f.body_pairs, &doc.body);
        if !doc.private.is_empty() {
            out.add_text(f.private, &doc.private);
            out.add_text(f.private_chars, &doc.private);
            out.add_text(f.private_pairs, &doc.private);
        }
        for key in &doc.keys {
            out.add_text(f.keys, key);
        }
        for (name, value) in &doc.facets {
            out.add_facet(f.facets, Facet::from_path([name.as_str(), value.as_str()]));
        }
        out.add_i64(f.created, doc.created_ms);
        out.add_text(f.meta, doc.meta.to_string());
        out
    }
}

fn doc_key(kind: DocKind, id: i64) -> String {
    format!("{}:{id}", kind.as_str())
}

fn clear_dir(dir: &Path) -> SearchResult<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| SearchError::Io(format!("reading {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| SearchError::Io(format!("removing {}: {e}", path.display())))?;
    }
    Ok(())
}
