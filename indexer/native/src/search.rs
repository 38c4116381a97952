//! The stages of a search on the embedded index, as indexer/embedded.py built them with
//! tantivy-py: the same fields, queries, constant scores and collector, so the same hits in the
//! same order (the top ``cap`` by score, equal scores lowest address first: shortest key first).

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::collector::{MultiCollector, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, Value};
use tantivy::columnar::ColumnValues;
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};

use crate::ranking::{Cand, EXACT, FOLD, FUZZY, PREFIX, TONE, WORDS};

pub const EDGE: usize = 3; // dictionary.search.ports.EDGE
const SCORE_EXACT: Score = 4.0; // ports.SCORE_OF
const SCORE_TONE: Score = 2.0;
const SCORE_FOLD: Score = 1.0;
const FUZZY_SCORE: Score = 1.0;
const SAME_START_BONUS: Score = 1.0;
const TOLERANCE: Score = 1e-6;

pub struct Scope {
    pub gloss_language: Option<String>,
    pub languages: Option<Vec<String>>,
}

/// A QueryPlan as data, its keys computed in Python.
pub struct Plan {
    pub exact: String,
    pub tone: String,
    pub fold: String,
    pub words: Vec<String>, // QueryPlan.words
    pub scopes: Vec<Scope>,
    pub fuzzy: u8,
    pub cap: usize,
    pub prefix: bool,
}

/// A searcher with the packed key of every document at hand (the "key" fast field, one column
/// per segment): made when the index is opened or reloaded.
pub struct View {
    pub searcher: Searcher,
    keys: Vec<Arc<dyn ColumnValues<u64>>>,
}

impl View {
    pub fn of(searcher: Searcher) -> tantivy::Result<View> {
        let keys = searcher.segment_readers().iter()
            .map(|segment| Ok(segment.fast_fields().u64("key")?.first_or_default_col(0)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(View { searcher, keys })
    }

    fn key(&self, address: DocAddress) -> u64 {
        self.keys[address.segment_ord as usize].get_val(address.doc_id)
    }
}

/// The schema's fields (indexer/embedded_docs.key_schema), by side: h (headwords), g (glosses).
pub struct Fields {
    side: [[Field; 5]; 2], // 0, 1, 2, p, w
    lang: Field,
    glang: Field,
}

impl Fields {
    pub fn of(schema: &Schema) -> tantivy::Result<Fields> {
        let get = |name: &str| schema.get_field(name);
        let side = |s: &str| -> tantivy::Result<[Field; 5]> {
            Ok([get(&format!("{s}0"))?, get(&format!("{s}1"))?, get(&format!("{s}2"))?,
                get(&format!("{s}p"))?, get(&format!("{s}w"))?])
        };
        Ok(Fields { side: [side("h")?, side("g")?], lang: get("lang")?, glang: get("glang")? })
    }
}

fn tier_of_score(score: Score) -> u8 {
    if score >= SCORE_EXACT - TOLERANCE {
        EXACT
    } else if score >= SCORE_TONE - TOLERANCE {
        TONE
    } else {
        FOLD
    }
}

fn looseness_of_score(score: Score) -> u8 {
    if score >= FUZZY_SCORE + SAME_START_BONUS - TOLERANCE { 1 } else { 2 }
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

fn konst(query: Box<dyn Query>, score: Score) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, score))
}

fn boolean(clauses: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    Box::new(BooleanQuery::from(clauses))
}

/// Whether two strings are within optimal-string-alignment distance 1 (a transposition is one
/// edit), counted in characters.
pub fn within_one(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    match long.len() - short.len() {
        0 => {
            let diffs: Vec<usize> = (0..short.len()).filter(|&i| short[i] != long[i]).collect();
            match diffs.len() {
                0 | 1 => true,
                2 => diffs[1] == diffs[0] + 1
                    && short[diffs[0]] == long[diffs[1]] && short[diffs[1]] == long[diffs[0]],
                _ => false,
            }
        }
        1 => {
            let i = (0..short.len()).find(|&i| short[i] != long[i]).unwrap_or(short.len());
            short[i..] == long[i + 1..]
        }
        _ => false,
    }
}

pub struct Engine<'a> {
    pub view: &'a View,
    pub fields: &'a Fields,
}

impl Engine<'_> {
    /// ``build(side)`` gives the stage's query on one side's fields; this adds each scope's
    /// filters and joins the scopes.
    fn scoped(&self, plan: &Plan, build: &dyn Fn(usize) -> Box<dyn Query>) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for scope in &plan.scopes {
            let side = if scope.gloss_language.is_some() { 1 } else { 0 };
            let query = build(side);
            let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query)];
            if let Some(glang) = &scope.gloss_language {
                must.push((Occur::Must, konst(term(self.fields.glang, glang), 0.0)));
            }
            if let Some(languages) = &scope.languages {
                let terms = languages.iter().map(|l| Term::from_field_text(self.fields.lang, l));
                must.push((Occur::Must, konst(Box::new(TermSetQuery::new(terms)), 0.0)));
            }
            let clause = if must.len() > 1 { boolean(must) } else { must.pop().unwrap().1 };
            clauses.push((Occur::Should, clause));
        }
        if clauses.len() == 1 { clauses.pop().unwrap().1 } else { boolean(clauses) }
    }

    /// The first ``cap`` hits by score; equal scores come lowest address first.
    fn collect(&self, query: &dyn Query, cap: usize) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        let mut collector = MultiCollector::new();
        let handle = collector.add_collector(TopDocs::with_limit(cap.max(1)).and_offset(0).order_by_score());
        let mut fruit = self.view.searcher.search(query, &collector)?;
        Ok(handle.extract(&mut fruit))
    }

    fn doc(&self, address: DocAddress) -> tantivy::Result<TantivyDocument> {
        self.view.searcher.doc::<TantivyDocument>(address)
    }

    fn push(&self, out: &mut Vec<Cand>, key: u64, tier: u8, distance: u8, loose: u8) {
        // key = entry << 24 | field << 20 | position << 12 | length (embedded_docs.pack)
        out.push(Cand {
            entry: (key >> 24) as i64, tier, distance, loose,
            position: ((key >> 12) & 255) as i64, length: (key & 4095) as i64,
            field: ((key >> 20) & 15) as u8,
        });
    }

    fn take(&self, out: &mut Vec<Cand>, hits: &[(Score, DocAddress)], tier: Option<u8>, distance: u8)
        -> tantivy::Result<()> {
        for (score, address) in hits {
            self.push(out, self.view.key(*address), tier.unwrap_or_else(|| tier_of_score(*score)), distance, 0);
        }
        Ok(())
    }

    /// EmbeddedBackend.candidates: every stage of one plan.
    pub fn candidates(&self, plan: &Plan) -> tantivy::Result<Vec<Cand>> {
        let f = self.fields;
        let mut out: Vec<Cand> = Vec::new();
        // 1. exact, tone and fold equality in one query: constant scores tell the tiers apart.
        let exact = |s: usize| boolean(vec![
            (Occur::Should, konst(term(f.side[s][0], &plan.exact), SCORE_EXACT)),
            (Occur::Should, konst(term(f.side[s][1], &plan.tone), SCORE_TONE)),
            (Occur::Should, konst(term(f.side[s][2], &plan.fold), SCORE_FOLD)),
        ]);
        if plan.scopes.is_empty() {
            return Ok(out);
        }
        let hits = self.collect(&*self.scoped(plan, &exact), plan.cap)?;
        self.take(&mut out, &hits, None, 0)?;
        let fold = plan.fold.as_str();
        if fold.is_empty() {
            return Ok(out);
        }
        // 2. prefix of the folded key, shortest first.
        if plan.prefix {
            let query = if fold.chars().count() <= EDGE {
                self.scoped(plan, &|s| term(f.side[s][3], fold))
            } else {
                self.scoped(plan, &|s| Box::new(FuzzyTermQuery::new_prefix(
                    Term::from_field_text(f.side[s][2], fold), 0, true)))
            };
            let hits = self.collect(&*query, plan.cap)?;
            self.take(&mut out, &hits, Some(PREFIX), 0)?;
        }
        // 3. every word of the query among the key's words.
        let mut words: Vec<&str> = plan.words.iter().map(|w| w.as_str()).collect();
        words.sort_unstable();
        words.dedup();
        if !words.is_empty() {
            let all_words = |s: usize| konst(boolean(
                words.iter().map(|w| (Occur::Must, term(f.side[s][4], w))).collect()), 1.0);
            let hits = self.collect(&*self.scoped(plan, &all_words), plan.cap)?;
            self.take(&mut out, &hits, Some(WORDS), 0)?;
        }
        // 4. fuzzy on the folded key: distance 1, then 2 only when nothing was found before.
        let check_tone = plan.tone != fold;
        let prefix2: String = fold.chars().take(2).collect();
        for distance in 1..=plan.fuzzy {
            if distance > 1 {
                let entries: HashSet<i64> = out.iter().map(|c| c.entry).collect();
                if !entries.is_empty() { // QueryPlan.wider_fuzzy
                    break;
                }
            }
            let fuzzy = |s: usize| boolean(vec![
                (Occur::Must, konst(Box::new(FuzzyTermQuery::new(
                    Term::from_field_text(f.side[s][2], fold), distance, true)), FUZZY_SCORE)),
                (Occur::Should, konst(term(f.side[s][3], &prefix2), SAME_START_BONUS)),
            ]);
            let hits = self.collect(&*self.scoped(plan, &fuzzy), plan.cap)?;
            let compare = distance == 1 && check_tone && hits.len() < plan.cap;
            if distance == 1 && check_tone && !compare {
                // The cap cut the list: ask for the closest by diacritics on their own.
                let query = self.scoped(plan, &|s| Box::new(FuzzyTermQuery::new(
                    Term::from_field_text(f.side[s][1], &plan.tone), 1, true)));
                let closer = self.collect(&*query, plan.cap)?;
                self.take(&mut out, &closer, Some(FUZZY), 1)?;
            }
            for (score, address) in &hits {
                let mut loose = looseness_of_score(*score);
                // Every key within distance 1 with diacritics is among these hits (folding
                // never adds an edit), so comparing their stored keys answers without a second
                // walk of the term dictionary.
                if compare {
                    let doc = self.doc(*address)?;
                    let theirs = doc.get_first(f.side[0][1]).or_else(|| doc.get_first(f.side[1][1]))
                        .and_then(|v| v.as_str()).unwrap_or("");
                    if within_one(theirs, &plan.tone) {
                        loose = 0;
                    }
                }
                self.push(&mut out, self.view.key(*address), FUZZY, distance, loose);
            }
        }
        Ok(out)
    }
}
