//! tudien_core: a whole search in one call — every stage for the query and for each of its
//! readings on the embedded index, the DECODED tier of the readings, the shared ranking and
//! the exact-first order — and the shared ranking alone, for the engines that find their
//! candidates elsewhere (Elasticsearch, the offline packs).  Text normalisation stays in Python.

mod ranking;
mod search;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use tantivy::{Index, IndexReader, ReloadPolicy};

use ranking::{Cand, Facts as RankFacts, Outcome};
use search::{Engine, Fields, Plan, Scope, View};

type PyPlan = (String, String, String, Vec<String>, Vec<(Option<String>, Option<Vec<String>>)>, u8, usize, bool);
type PyCand = (i64, i64, i64, i64, i64, i64, i64);
type PyRow = (i64, u8, u8, u8, i64, i64, u8, i64, bool);
type PyOutcome = (usize, usize, Vec<PyRow>, Vec<PyRow>);

fn plan_of(p: PyPlan) -> Plan {
    let (exact, tone, fold, words, scopes, fuzzy, cap, prefix) = p;
    let scopes = scopes.into_iter()
        .map(|(gloss_language, languages)| Scope { gloss_language, languages })
        .collect();
    Plan { exact, tone, fold, words, scopes, fuzzy, cap, prefix }
}

fn small(value: i64, name: &str) -> PyResult<u8> {
    u8::try_from(value).map_err(|_| PyValueError::new_err(format!("candidate {name} out of range: {value}")))
}

fn cand_of(c: PyCand) -> PyResult<Cand> {
    let (entry, tier, distance, loose, position, length, field) = c;
    Ok(Cand { entry, tier: small(tier, "tier")?, distance: small(distance, "distance")?,
              loose: small(loose, "loose")?, position, length, field: small(field, "field")? })
}

fn cands_of(cs: Vec<PyCand>) -> PyResult<Vec<Cand>> {
    cs.into_iter().map(cand_of).collect()
}

fn py_cand(c: &Cand) -> PyCand {
    (c.entry, c.tier as i64, c.distance as i64, c.loose as i64, c.position, c.length, c.field as i64)
}

fn py_rows(rows: Vec<ranking::Row>) -> Vec<PyRow> {
    rows.into_iter().map(|r| {
        let c = r.cand;
        (c.entry, c.tier, c.distance, c.loose, c.position, c.length, c.field, r.reading, r.exact)
    }).collect()
}

fn py_outcome(o: Outcome) -> PyOutcome {
    (o.total, o.exact, py_rows(o.page), py_rows(o.pool))
}

fn engine_err(e: tantivy::TantivyError) -> PyErr {
    PyOSError::new_err(format!("search index: {e}"))
}

/// What one search asks beyond its candidates (see ``gather``).
struct Ask {
    with_typing: Vec<usize>,
    without_typing: Vec<usize>,
    typing_if_found: bool,
    marked: bool,
    word: bool,
    offset: usize,
    limit: usize,
    pool: usize,
}

/// The candidates of the query and of the readings it is read as, then the ranked page.  The
/// Telex/VNI readings are among ``with_typing`` only: they are read when the query as typed
/// matched nothing exactly, or when ``typing_if_found`` (queries.reread_typing).
fn gather(mut cands: Vec<Cand>, mut reading: impl FnMut(usize) -> PyResult<Vec<Cand>>, ask: &Ask,
          facts: &RankFacts) -> PyResult<Outcome> {
    let mut reading_of: HashMap<i64, i64> = HashMap::new();
    if ask.word {
        let found = cands.iter().any(|c| ranking::is_exact(c, ask.marked));
        let chosen = if !found || ask.typing_if_found { &ask.with_typing } else { &ask.without_typing };
        for &index in chosen {
            for c in reading(index)? {
                reading_of.entry(c.entry).or_insert(index as i64);
                cands.push(ranking::decoded(c));
            }
        }
    } else { // no letter to compare: every folded key of symbols is empty, and "equal"
        cands.retain(|c| c.tier == ranking::EXACT);
    }
    Ok(ranking::finish(&cands, &reading_of, ask.marked, facts, ask.offset, ask.limit, ask.pool))
}

/// The ranking's facts, made once per store generation.
#[pyclass(frozen)]
struct Facts {
    inner: RankFacts,
}

#[pymethods]
impl Facts {
    #[new]
    #[pyo3(signature = (authoritative=Vec::new(), broad=HashMap::new()))]
    fn new(authoritative: Vec<i64>, broad: HashMap<i64, i64>) -> Self {
        Facts { inner: RankFacts { authoritative: authoritative.into_iter().collect(), broad } }
    }
}

/// The embedded index in one folder, read-only (tantivy-py writes it).
#[pyclass(frozen)]
struct Searcher {
    reader: IndexReader,
    fields: Fields,
    view: RwLock<Arc<View>>, // the last commit read, with its keys
}

#[pymethods]
impl Searcher {
    #[new]
    fn new(py: Python<'_>, path: String) -> PyResult<Self> {
        py.detach(|| {
            let index = Index::open_in_dir(&path).map_err(engine_err)?;
            let fields = Fields::of(&index.schema()).map_err(engine_err)?;
            let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()
                .map_err(engine_err)?;
            let view = RwLock::new(Arc::new(View::of(reader.searcher()).map_err(engine_err)?));
            Ok(Searcher { reader, fields, view })
        })
    }

    /// Read the index's last commit.
    fn reload(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| {
            self.reader.reload().map_err(engine_err)?;
            let view = Arc::new(View::of(self.reader.searcher()).map_err(engine_err)?);
            *self.view.write().unwrap_or_else(|e| e.into_inner()) = view;
            Ok(())
        })
    }

    #[getter]
    fn num_docs(&self) -> u64 {
        self.view().searcher.num_docs()
    }

    /// EmbeddedBackend.candidates: one plan's candidates, unranked.
    fn candidates(&self, py: Python<'_>, plan: PyPlan) -> PyResult<Vec<PyCand>> {
        let plan = plan_of(plan);
        let found = py.detach(|| {
            let view = self.view();
            Engine { view: &view, fields: &self.fields }.candidates(&plan)
        }).map_err(engine_err)?;
        Ok(found.iter().map(py_cand).collect())
    }

    /// A whole search: (total, exact matches, page rows, pool rows); a row is (entry, tier,
    /// distance, loose, position, length, field, reading index or -1, matches as typed).
    #[pyo3(signature = (plan, readings, with_typing, without_typing, typing_if_found, marked, word, facts, offset, limit, pool))]
    #[allow(clippy::too_many_arguments)]
    fn search(&self, py: Python<'_>, plan: PyPlan, readings: Vec<PyPlan>, with_typing: Vec<usize>,
              without_typing: Vec<usize>, typing_if_found: bool, marked: bool, word: bool,
              facts: &Bound<'_, Facts>, offset: usize, limit: usize, pool: usize) -> PyResult<PyOutcome> {
        let plan = plan_of(plan);
        let readings: Vec<Plan> = readings.into_iter().map(plan_of).collect();
        let ask = Ask { with_typing, without_typing, typing_if_found, marked, word, offset, limit, pool };
        let facts = &facts.get().inner;
        let outcome = py.detach(|| {
            let view = self.view();
            let engine = Engine { view: &view, fields: &self.fields };
            let main = engine.candidates(&plan).map_err(engine_err)?;
            gather(main, |i| {
                let reading = readings.get(i).ok_or_else(|| PyValueError::new_err("no such reading"))?;
                engine.candidates(reading).map_err(engine_err)
            }, &ask, facts)
        })?;
        Ok(py_outcome(outcome))
    }
}

impl Searcher {
    fn view(&self) -> Arc<View> {
        self.view.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The shared ranking: [(sort key, entry, candidate)], best first, one per entry.
#[pyfunction]
fn rank(candidates: Vec<PyCand>, facts: &Bound<'_, Facts>) -> PyResult<Vec<(Vec<i64>, i64, PyCand)>> {
    let cands = cands_of(candidates)?;
    Ok(ranking::rank(&cands, &facts.get().inner).iter().map(|(k, c)| {
        let key = vec![k.0 as i64, k.1 as i64, k.2 as i64, k.3 as i64, k.4 as i64, k.5, k.6, k.7];
        (key, c.entry, py_cand(c))
    }).collect())
}

/// A search whose candidates another engine found: ``candidates`` the query's, ``readings``
/// each reading's (None for one not looked up); the result as Searcher.search's.
#[pyfunction]
#[pyo3(signature = (candidates, readings, with_typing, without_typing, typing_if_found, marked, word, facts, offset, limit, pool))]
#[allow(clippy::too_many_arguments)]
fn finish(candidates: Vec<PyCand>, readings: Vec<Option<Vec<PyCand>>>, with_typing: Vec<usize>,
          without_typing: Vec<usize>, typing_if_found: bool, marked: bool, word: bool,
          facts: &Bound<'_, Facts>, offset: usize, limit: usize, pool: usize) -> PyResult<PyOutcome> {
    let main = cands_of(candidates)?;
    let mut readings = readings;
    let ask = Ask { with_typing, without_typing, typing_if_found, marked, word, offset, limit, pool };
    let outcome = gather(main, |i| {
        let found = readings.get_mut(i).and_then(Option::take)
            .ok_or_else(|| PyValueError::new_err(format!("reading {i} was not looked up")))?;
        cands_of(found)
    }, &ask, &facts.get().inner)?;
    Ok(py_outcome(outcome))
}

/// Whether two texts are within one edit (a transposition counts as one), as the fuzzy stage
/// compares keys with diacritics.
#[pyfunction]
fn within_one(a: &str, b: &str) -> bool {
    search::within_one(a, b)
}

#[pymodule]
fn tudien_core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Facts>()?;
    m.add_class::<Searcher>()?;
    m.add_function(wrap_pyfunction!(rank, m)?)?;
    m.add_function(wrap_pyfunction!(finish, m)?)?;
    m.add_function(wrap_pyfunction!(within_one, m)?)?;
    Ok(())
}
